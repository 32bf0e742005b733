/*
 * import_date.c - the date formats of LinkedIn's archive, and the zone of
 * its naive times.
 *
 * Over the years the archive wrote "16 Dec 2024", "1/8/18, 6:14 PM",
 * "2024-12-16 18:24:37 UTC" and "2024/12/07 14:51:07 UTC"; the naive ones
 * are in the zone of the user who downloaded it, which --tz names. Fixed
 * offsets are converted here by arithmetic; an IANA zone goes through the
 * C library (TZ and mktime), the one part that is not pure.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "import.h"

static const char *const date_months[12] = {
	"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
};

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t date_days(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int date_valid(int y, int m, int d, int hh, int mm, int ss)
{
	static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	if (m == 2 && d == 29 && !leap)
		return 0;
	return hh >= 0 && hh < 24 && mm >= 0 && mm < 60 && ss >= 0 && ss < 61;
}

static int date_naive(const struct import_tz *tz, int y, int m, int d, int hh, int mm, int ss,
                      int64_t *out_ms)
{
	if (!date_valid(y, m, d, hh, mm, ss))
		return -1;
	if (tz->kind == IMPORT_TZ_ZONE) {
		struct tm tm = { 0 };
		time_t t;
		tm.tm_year = y - 1900;
		tm.tm_mon = m - 1;
		tm.tm_mday = d;
		tm.tm_hour = hh;
		tm.tm_min = mm;
		tm.tm_sec = ss;
		tm.tm_isdst = -1;
		t = mktime(&tm);
		if (t == (time_t)-1)
			return -1;
		*out_ms = (int64_t)t * 1000;
		return 0;
	}
	*out_ms = ((date_days(y, m, d) * 86400 + hh * 3600 + mm * 60 + ss) - tz->offset_s) * 1000;
	return 0;
}

static int date_utc(int y, int m, int d, int hh, int mm, int ss, int64_t *out_ms)
{
	static const struct import_tz utc = { IMPORT_TZ_OFFSET, 0, "" };
	return date_naive(&utc, y, m, d, hh, mm, ss, out_ms);
}

int import_date_parse(const char *s, const struct import_tz *tz, int64_t *out_ms)
{
	char text[64], mon[8], ampm[4];
	int y, m, d, hh = 0, mm = 0, ss = 0, n = -1;
	size_t len;

	while (*s == ' ' || *s == '\t')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0 || len >= sizeof(text))
		return -1;
	memcpy(text, s, len);
	text[len] = '\0';

	/* "2024-12-16 18:24:37 UTC" and "2024/12/07 14:51:07 UTC". */
	if ((sscanf(text, "%4d-%2d-%2d %2d:%2d:%2d UTC%n", &y, &m, &d, &hh, &mm, &ss, &n) == 6 ||
	     sscanf(text, "%4d/%2d/%2d %2d:%2d:%2d UTC%n", &y, &m, &d, &hh, &mm, &ss, &n) == 6) &&
	    n == (int)len)
		return date_utc(y, m, d, hh, mm, ss, out_ms);
	/* RFC 3339 with its own zone. */
	if (len > 10 && time_parse_rfc3339(text, len, out_ms) == 0)
		return 0;
	/* "2024-12-16". */
	n = -1;
	if (sscanf(text, "%4d-%2d-%2d%n", &y, &m, &d, &n) == 3 && n == (int)len)
		return date_naive(tz, y, m, d, 0, 0, 0, out_ms);
	/* "16 Dec 2024". */
	n = -1;
	if (sscanf(text, "%2d %3s %4d%n", &d, mon, &y, &n) == 3 && n == (int)len) {
		for (m = 0; m < 12; m++)
			if (strcasecmp(mon, date_months[m]) == 0)
				return date_naive(tz, y, m + 1, d, 0, 0, 0, out_ms);
		return -1;
	}
	/* "1/8/18, 6:14 PM" (month first, as the US locale LinkedIn used). */
	n = -1;
	if (sscanf(text, "%2d/%2d/%2d, %2d:%2d %2s%n", &m, &d, &y, &hh, &mm, ampm, &n) == 6 &&
	    n == (int)len) {
		if (hh < 1 || hh > 12)
			return -1;
		if (strcasecmp(ampm, "AM") == 0)
			hh = hh == 12 ? 0 : hh;
		else if (strcasecmp(ampm, "PM") == 0)
			hh = hh == 12 ? 12 : hh + 12;
		else
			return -1;
		return date_naive(tz, 2000 + y, m, d, hh, mm, 0, out_ms);
	}
	return -1;
}

int import_date_id_ms(const char *s, int64_t *out_ms)
{
	static const struct import_tz utc = { IMPORT_TZ_OFFSET, 0, "" };
	return import_date_parse(s, &utc, out_ms);
}

int import_tz_parse(const char *s, struct import_tz *tz)
{
	char path[160];
	int h, m, n = -1;
	size_t i;

	memset(tz, 0, sizeof(*tz));
	if (strcasecmp(s, "UTC") == 0 || strcmp(s, "Z") == 0) {
		tz->kind = IMPORT_TZ_OFFSET;
		return 0;
	}
	if ((s[0] == '+' || s[0] == '-') &&
	    ((sscanf(s + 1, "%2d:%2d%n", &h, &m, &n) == 2 && n == 5 && strlen(s) == 6) ||
	     (sscanf(s + 1, "%2d%2d%n", &h, &m, &n) == 2 && n == 4 && strlen(s) == 5))) {
		if (!isdigit((unsigned char)s[1]) || h > 23 || m > 59)
			return -1;
		tz->kind = IMPORT_TZ_OFFSET;
		tz->offset_s = (s[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
		return 0;
	}
	/* An IANA name: letters, digits, '_', '-', '+' and '/', no "..". */
	if (s[0] == '\0' || s[0] == '/' || strlen(s) >= sizeof(tz->zone) || strstr(s, "..") != NULL)
		return -1;
	for (i = 0; s[i] != '\0'; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("_-+/", s[i]) == NULL)
			return -1;
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", s);
	if (access(path, R_OK) != 0)
		return -1;
	tz->kind = IMPORT_TZ_ZONE;
	memcpy(tz->zone, s, strlen(s) + 1);
	if (setenv("TZ", s, 1) != 0)
		return -1;
	tzset();
	return 0;
}
