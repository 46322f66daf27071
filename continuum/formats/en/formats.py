# One date format on every English page, whatever a template asks of `|date` by name:
# the month as a word (never 04/05, read two ways), the day and the year, as a US center
# writes them ("Dec 3, 2026", "Dec 3, 2026, 3:30 PM", "Dec 3").
DATE_FORMAT = "M j, Y"
DATETIME_FORMAT = "M j, Y, g:i A"
SHORT_DATE_FORMAT = "M j, Y"
SHORT_DATETIME_FORMAT = "M j, Y, g:i A"
TIME_FORMAT = "g:i A"
MONTH_DAY_FORMAT = "M j"
