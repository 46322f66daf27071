# One date format on every Spanish page, as Spanish writes it: the day, the month as a
# word and the year ("3 de diciembre de 2026"), times on the 24-hour clock.
DATE_FORMAT = r"j \d\e F \d\e Y"
DATETIME_FORMAT = r"j \d\e F \d\e Y \a \l\a\s H:i"
SHORT_DATE_FORMAT = r"j \d\e F \d\e Y"
SHORT_DATETIME_FORMAT = r"j \d\e F \d\e Y \a \l\a\s H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = r"j \d\e F"
