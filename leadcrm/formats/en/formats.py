"""Short dates and times for English: "1 Dec 2026" and "1 Dec 2026, 18:06" (Django's own en
formats are American, "12/01/2026 6:06 p.m.", which a reader elsewhere may take for 12 January).
The change history and the reports' "as of" times use them (|date:"SHORT_DATETIME_FORMAT");
Chinese keeps Django's "2026年12月1日 18:06"."""

SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
