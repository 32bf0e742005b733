/*
 * event_text.c - the byte-level checks of an event line that event.c
 * makes around the JSON parsers (event_text.h): exact decimal numbers,
 * control characters a word at a time, blanks (UTF-8 is util.c's
 * utf8_valid_prefix). Pure.
 */
#include <stdint.h>
#include <string.h>

#include "warmth/util.h"
#include "event_text.h"

/*
 * Converts the text of a JSON number (already checked by yajl's lexer:
 * -?digits(.digits)?([eE][+-]?digits)?) to value * 10^scale, truncated
 * toward zero. Sets *exact when no non-zero digit was cut off. Returns 0,
 * or -1 if the value is negative (negative zero is zero) or the result
 * exceeds limit.
 */
int event_number_scaled(const char *s, size_t len, int scale, int64_t limit,
                               int64_t *out, int *exact)
{
	const char *end = s + len;
	const char *int_start, *int_end, *frac_start = NULL, *frac_end = NULL;
	int negative = 0;
	long exponent = 0;
	long point;    /* digits before the decimal point, after scaling */
	int64_t value = 0;
	long ndigits, i;
	int nonzero = 0;

	if (s < end && *s == '-')
		negative = 1, s++;
	int_start = s;
	while (s < end && *s >= '0' && *s <= '9')
		s++;
	int_end = s;
	if (s < end && *s == '.') {
		frac_start = ++s;
		while (s < end && *s >= '0' && *s <= '9')
			s++;
		frac_end = s;
	}
	if (s < end && (*s == 'e' || *s == 'E')) {
		int exp_negative = 0;
		s++;
		if (s < end && (*s == '+' || *s == '-'))
			exp_negative = *s++ == '-';
		/* Clamped: beyond this the value is 0 or far above any limit anyway. */
		while (s < end && *s >= '0' && *s <= '9') {
			if (exponent < 100000)
				exponent = exponent * 10 + (*s - '0');
			s++;
		}
		if (exp_negative)
			exponent = -exponent;
	}

	/*
	 * The digits, integer part then fraction, read as one sequence whose
	 * decimal point sits after `point` of them once the exponent and the
	 * scale have moved it.
	 */
	ndigits = (long)(int_end - int_start) + (frac_start ? (long)(frac_end - frac_start) : 0);
	point = (long)(int_end - int_start) + exponent + scale;
	*exact = 1;
	for (i = 0; i < ndigits || i < point; i++) {
		int digit = 0;
		if (i < ndigits) {
			long k = i;
			if (k < int_end - int_start)
				digit = int_start[k] - '0';
			else
				digit = frac_start[k - (int_end - int_start)] - '0';
		}
		if (digit != 0)
			nonzero = 1;
		if (i >= point) {
			if (digit != 0)
				*exact = 0;
			continue;
		}
		if (value > (limit - digit) / 10)
			return -1;
		value = value * 10 + digit;
		/* Trailing zeros of a zero value ("0e99999") end here. */
		if (i >= ndigits && value == 0)
			break;
	}
	if (negative && nonzero)
		return -1;
	*out = value;
	return 0;
}

#define EVENT_BYTES(b) (UINT64_C(0x0101010101010101) * (b))

/*
 * True if s[0..len) holds a control character (U+0000-U+001F, U+007F),
 * 8 bytes at a time: the classic "has a byte less than n" and "has a zero
 * byte" word tricks, exact as yes/no answers. It runs on every actor.
 */
int event_has_control(const char *s, size_t len)
{
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		uint64_t w, del;
		memcpy(&w, s + i, sizeof(w));
		del = w ^ EVENT_BYTES(0x7F);
		if (((w - EVENT_BYTES(0x20)) & ~w & EVENT_BYTES(0x80)) ||
		    ((del - EVENT_BYTES(0x01)) & ~del & EVENT_BYTES(0x80)))
			return 1;
	}
	for (; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7F)
			return 1;
	}
	return 0;
}

/* True when s[0..len) is empty or only what yajl skips as whitespace. */
int event_is_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n' && s[i] != '\f' &&
		    s[i] != '\v')
			return 0;
	return 1;
}
