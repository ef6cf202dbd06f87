"""Person-name and company-name similarity (leads.dedup.compare): pure functions, no database.

Each case is (a, b, lowest, highest): the score must fall in that range. Cases marked "was"
carry over an expectation of the scorer in leads/dedup/matching.py (its docstrings,
tests/leads/test_dedup.py, tests/leads/dedup_pairs.csv, where the default rules' fuzzy
threshold is 85: a labelled "same" pair needs at least 85, a "different" one less)."""

import pytest

from leads.dedup.compare import (
    company_name_similarity,
    generic_company_words,
    person_name_similarity,
)

SAME = 85  # the default rules' threshold for a fuzzy name or company

PERSON_CASES = [
    # order, case, accents, titles, full-width letters
    ("Smith, John", "John Smith", 100, 100, "transposed given and family name"),
    ("JOHN SMITH", "Dr. John Smith", 100, 100, "was: case and title (name_key test)"),
    ("Mr. John Smith", "john smith", 100, 100, "English title"),
    ("Smith John", "John Smith", 100, 100, "was: order (dedup_pairs)"),
    ("José García", "Jose Garcia", 100, 100, "accents"),
    ("Anna Müller", "MÜLLER, Anna", 100, 100, "was: case and order (dedup_scan test)"),
    ("Ｌｉｎｄａ Ｗａｌｋｅｒ", "Linda Walker", 100, 100, "was: full-width letters"),
    ("O'Brien", "OBrien", 100, 100, "apostrophe"),
    ("王小明先生", "王小明", 100, 100, "Chinese title 先生"),
    ("李娜女士", "李娜", 100, 100, "Chinese title 女士"),
    # initials
    ("M. Schmidt", "Michael Schmidt", 88, 95, "was 90: an initial and the same surname"),
    ("Schmidt, M.", "Michael Schmidt", 88, 95, "initial, other order"),
    ("J Smith", "Mary Smith", 0, 30, "an initial that does not fit"),
    # nicknames (the nicknames package)
    ("Bob Smith", "Robert Smith", 90, 99, "nickname Bob"),
    ("Bill Jones", "William Jones", 90, 99, "nickname Bill"),
    ("Liz Taylor", "Elizabeth Taylor", 90, 99, "nickname Liz"),
    ("Peggy Olson", "Margaret Olson", 90, 99, "nickname Peggy"),
    ("Peggy Olson", "Maggie Olson", 75, 86, "two nicknames of one name: weaker"),
    # typos
    ("lachlan berry", "lachlan bery", 90, 99, "a dropped letter"),
    ("jon smith", "john smith", 90, 99, "a short given name one letter off"),
    ("Linda Moore", "Linda Miore", SAME, 95, "one slip in a five-letter surname"),
    ("Olivia Schmidt", "Olivia Scimidt", SAME, 95, "one slip in a long surname"),
    ("Sophie Hall", "Sophie Hasl", SAME, 95, "one slip in a four-letter surname"),
    ("john smith", "joan smith", 0, SAME - 1, "John and Joan are two people"),
    ("mark smith", "mary smith", 0, SAME - 1, "two given names one letter apart"),
    ("Li Na", "Lin Na", 0, SAME - 1, "two-letter parts are no typos: Li and Lin are two names"),
    # missing or different parts
    ("waller", "tyler waller", 70, 80, "a missing given name: medium"),
    ("王先生", "王小明", 70, 80, "a family name alone (Mr Wang)"),
    ("John Smith", "John Michael Smith", SAME, 95, "a missing middle name"),
    ("Mary Ann Smith", "Maryann Smith", 90, 99, "parts run together"),
    ("john smith", "mary smith", 0, 60, "other given name, same surname"),
    ("John Smith", "Mary Jones", 0, 20, "nothing in common"),
    # Chinese characters
    ("王小明", "王小明", 100, 100, "the same characters"),
    ("王小明", "王晓明", 88, 88, "was 88: homophone typing slip"),
    ("张伟", "张玮", 88, 88, "was: homophone typo (dedup_pairs)"),
    ("孙芳琳", "孙芳玲", 86, 86, "was 86: one near-homophone in three characters"),
    ("诸葛玲明", "诸葛琳铭", 86, 86, "every differing character sounds alike"),
    ("张琳", "张玲", 0, 79, "was: two-character names one character apart"),
    ("彭晨", "陈鹏", 0, 30, "was: the same syllables in the other order"),
    ("李娜", "王芳", 0, 20, "was: colleagues behind one switchboard"),
    ("王小明", "王小红", 0, SAME - 1, "another given name"),
    # Chinese characters against pinyin
    ("王小明", "Wang Xiaoming", 90, 100, "was: pinyin, family name first"),
    ("王小明", "Xiaoming Wang", 90, 100, "was: pinyin, given name first"),
    ("Wang Xiaoming", "Xiaoming Wang", 100, 100, "was: pinyin in either order"),
    ("王小明", "Wang Xiao Ming", 90, 100, "pinyin syllables apart"),
    ("欧阳娜娜", "Ouyang Nana", 90, 100, "was: compound family name"),
    ("周敏", "Zhou Min", 90, 100, "was: pinyin of a two-character name"),
    ("曾伟", "Zeng Wei", 90, 100, "a family name's own reading (曾 zeng, not ceng)"),
    ("吕明", "Lyu Ming", 90, 100, "ü typed as yu"),
    ("吕明", "Lu Ming", 90, 100, "ü typed as u"),
    ("王小明", "Wang Xiaohong", 0, SAME - 1, "pinyin of another name"),
    # nothing to compare
    ("", "John Smith", 0, 0, "empty"),
    ("Mr.", "Mr.", 0, 0, "a title alone"),
    ("先生", "先生", 0, 0, "a Chinese title alone"),
]

COMPANY_CASES = [
    # legal forms, case, full-width letters
    ("Acme Co., Ltd.", "ACME Limited", 100, 100, "was: legal forms (company_key test)"),
    ("Ｎｏｒｄｗｅｒｋ GmbH", "Nordwerk AG", 100, 100, "was: full-width and legal form"),
    ("Summit Medical Inc.", "Summit Medical", 100, 100, "was: legal form (dedup_pairs)"),
    ("Ｂｅａｃｏｎ Ｆｏｏｄｓ Ｉｎｃ．", "Beacon Foods", 100, 100, "was: full-width letters"),
    ("上海云启智能科技有限公司", "上海云启智能科技", 100, 100, "was: 有限公司 (company_key)"),
    ("云启科技(中国)有限公司", "云启科技股份有限公司", 100, 100, "was: region tag and legal form"),
    ("杭州博达电子有限公司", "杭州博达电子", 100, 100, "was: same company (dedup_pairs)"),
    # bracketed qualifiers
    ("harbor grill (seattle)", "harbor grill", 100, 100, "a bracketed city"),
    ("Harbor Grill [Downtown]", "harbor grill", 100, 100, "square brackets"),
    (
        "上海云启智能科技有限公司（上海）",
        "上海云启智能科技有限公司",
        100,
        100,
        "full-width brackets",
    ),
    # articles, "&", apostrophes
    ("corner bistro the", "the corner bistro", 100, 100, "article moved to the end"),
    ("corner bistro, the", "the corner bistro", 100, 100, "article after a comma"),
    ("apple pan  the", "the apple pan", 100, 100, "article after two spaces"),
    ("Smith & Sons", "Smith and Sons", 100, 100, "& is and"),
    ("marco's", "marcos", 100, 100, "apostrophe dropped"),
    ("Marco’s Pizza", "Marcos Pizza", 100, 100, "typographic apostrophe dropped"),
    # generic words
    ("harbor cafe", "harbor restaurant", SAME, 95, "generic words of two kinds"),
    ("Café Luna", "Caffe Luna", 100, 100, "café = caffe"),
    ("luna cafe", "sole cafe", 0, 40, "a shared generic word adds nothing"),
    ("harbor cafe", "harbor grill", 0, SAME - 1, "grill is a word of its own"),
    ("Kestrel Foods", "Kestrel Trading", 0, SAME - 1, "a generic word where the other has a word"),
    ("Harbor Foods", "Harbor Logistics", 0, 60, "two sectors"),
    ("Kestrelmark Technologies GmbH", "Kestrelmark Trading Inc.", 0, SAME - 1, "tech vs trade"),
    ("云启科技", "云启贸易", 0, SAME - 1, "two lines of business"),
    ("上海云启科技", "云启网络", SAME, 100, "科技 and 网络 are one kind"),
    ("Lumen Trading GmbH", "Lumen Traing GmbH", SAME, 100, "a typo in a generic word"),
    ("The Cafe", "Cafe", 100, 100, "nothing but generic words"),
    ("arts delicatessen", "arts deli", 100, 100, "deli is delicatessen, a kind of venue"),
    ("凯盛贸易", "Kaisheng Trading", SAME, 95, "Chinese against its pinyin, 贸易 = trading"),
    ("华信物流", "华信科技", 0, SAME - 1, "物流 is a sector of its own, 科技 generic"),
    # words missing or misspelt
    ("arnie mortons of chicago", "arnie morton's", SAME, 95, "one name within the other"),
    ("Vertex Systems", "Vertex Systms", SAME, 99, "was: a company typo (dedup_pairs)"),
    ("harbor grill", "harbour grill", 90, 99, "one slip"),
    ("harbourgrill", "harbour grill", 100, 100, "a space lost"),
    ("DeltaoTrading AG", "Delta Trading AG", SAME, 99, "a space typed over"),
    ("Kestrelgate Industries LLC", "Kestreldale Industries Ltd", 0, SAME - 1, "look-alike firms"),
    ("Acme Ltd", "Bluefin Systems Inc.", 0, 30, "was: two companies (dedup_pairs)"),
    # Chinese city prefixes
    ("上海云启智能科技", "云启智能科技", 90, 100, "a missing city prefix"),
    ("上海云启", "云启", SAME, 100, "was: a missing city prefix (matching docstring)"),
    ("上海云启智能科技有限公司", "云启智能科技", 90, 100, "was: city and legal form (dedup_pairs)"),
    ("北京星河贸易有限公司", "星河贸易", SAME, 100, "was: city and legal form (dedup_pairs)"),
    ("深圳华信物流股份有限公司", "华信物流", SAME, 100, "was: city and legal form (dedup_pairs)"),
    ("深圳凯创科技集团有限公司", "凯创科技(中国)有限公司", SAME, 100, "was: city, 集团, (中国)"),
    ("上海云启智能科技", "北京云启智能科技", 70, SAME - 1, "the same name in two cities"),
    ("上海 云启 科技", "云启科技有限公司", 90, 100, "spaces between Chinese words"),
    ("上海云启智能科技有限公司", "北京华信物流有限公司", 0, 30, "was: two companies"),
    ("云启科技", "云起科技", SAME, 90, "a homophone typing slip"),
    ("中国银行", "中国建设银行", 0, SAME - 1, "one name within a longer one"),
    # nothing to compare
    ("", "Acme", 0, 0, "empty"),
    ("Ltd.", "Ltd.", 0, 0, "a legal form alone"),
]


def _case_id(case):
    return f"{case[0]} | {case[1]}"


@pytest.mark.parametrize("case", PERSON_CASES, ids=_case_id)
def test_person_name_similarity(case):
    a, b, lowest, highest, why = case
    score = person_name_similarity(a, b)
    assert lowest <= score <= highest, f"{why}: {score}"


@pytest.mark.parametrize("case", COMPANY_CASES, ids=_case_id)
def test_company_name_similarity(case):
    a, b, lowest, highest, why = case
    score = company_name_similarity(a, b)
    assert lowest <= score <= highest, f"{why}: {score}"


def test_the_order_of_the_two_names_never_counts():
    for a, b, *_ in PERSON_CASES:
        assert person_name_similarity(a, b) == person_name_similarity(b, a), (a, b)
    for a, b, *_ in COMPANY_CASES:
        assert company_name_similarity(a, b) == company_name_similarity(b, a), (a, b)


def test_scores_stay_between_0_and_100():
    names = [n for case in PERSON_CASES for n in case[:2]]
    companies = [n for case in COMPANY_CASES for n in case[:2]]
    for a in names:
        for b in names:
            assert 0 <= person_name_similarity(a, b) <= 100, (a, b)
    for a in companies:
        for b in companies:
            assert 0 <= company_name_similarity(a, b) <= 100, (a, b)


def test_generic_company_words_are_the_documented_ones():
    assert isinstance(generic_company_words, frozenset)
    expected = {
        "cafe", "café", "caffe", "restaurant", "shop", "store", "bar",
        "餐厅", "店", "饭店", "酒店", "科技", "贸易", "网络",
    }  # fmt: skip
    assert expected <= generic_company_words
    assert "grill" not in generic_company_words
    assert "物流" not in generic_company_words
