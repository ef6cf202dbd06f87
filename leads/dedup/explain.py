"""The evidence of a duplicate pair in words, in the reader's language: "same phone",
"name similar 62%", "city differs" (leads.dedup.evidence gives (field, level, similarity))."""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext


#: (field, level) -> sentence; "%(similarity)s" is the similarity in percent.
def _phrases() -> dict[tuple[str, str], str]:
    return {
        ("email", "same"): _("same e-mail address"),
        ("email", "similar"): _("same shared mailbox"),
        ("email", "differs"): _("e-mail addresses differ"),
        ("phone", "same"): _("same phone number"),
        ("phone", "similar"): _("same switchboard"),
        ("phone", "differs"): _("phone numbers differ"),
        ("name", "same"): pgettext("person", "same name"),
        ("name", "similar"): pgettext("person", "name similar %(similarity)s%%"),
        ("name", "alike"): pgettext("person", "name a little alike %(similarity)s%%"),
        ("name", "differs"): pgettext("person", "names differ"),
        ("company", "same"): _("same company"),
        ("company", "similar"): _("company similar %(similarity)s%%"),
        ("company", "alike"): _("company a little alike %(similarity)s%%"),
        ("company", "differs"): _("companies differ"),
        ("address", "same"): _("same address"),
        ("address", "similar"): _("address similar %(similarity)s%%"),
        ("address", "alike"): _("same building, other unit"),
        ("address", "neighbour"): _("same street"),
        ("address", "differs"): _("addresses differ"),
        ("postcode", "same"): _("same postcode"),
        ("postcode", "alike"): _("postcode nearly the same"),
        ("postcode", "differs"): _("postcodes differ"),
        ("city", "same"): _("same city"),
        ("city", "differs"): _("cities differ"),
    }


def evidence_phrases(explained) -> list[tuple[str, str]]:
    """(level, sentence) for each compared field; ``explained`` as Evidence.explained()
    gives it or a scan result stores it (lists)."""
    phrases = _phrases()
    out = []
    for field, level, similarity in explained or ():
        if field == "address" and level == "alike" and similarity < 70:
            # The same street: another house number, or none to compare.
            text = phrases[field, "neighbour"]
        else:
            text = phrases.get((field, level))
        if text is not None:
            out.append((level, text % {"similarity": similarity}))
    return out
