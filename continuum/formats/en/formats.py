# One date format on every page, whatever a template asks of `|date` by name: the day,
# the month as a word (never 04/05 read two ways) and the year; times on the 24-hour
# clock care staff use.
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j M"
