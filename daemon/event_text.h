/*
 * event_text.h - byte-level checks of event lines (event_text.c), for
 * event.c. Internal to the event parser.
 */
#ifndef WARMTH_EVENT_TEXT_H
#define WARMTH_EVENT_TEXT_H

#include <stddef.h>
#include <stdint.h>

/*
 * The text of a JSON number (-?digits(.digits)?([eE][+-]?digits)?) as
 * value * 10^scale, truncated toward zero; *exact when no non-zero digit
 * was cut off. 0, or -1 if negative (negative zero is zero) or above limit.
 */
int event_number_scaled(const char *s, size_t len, int scale, int64_t limit, int64_t *out,
                        int *exact);
/* Whether s[0..len) holds a control character (below 0x20, or DEL). */
int event_has_control(const char *s, size_t len);
/* True when s[0..len) is empty or only what yajl skips as whitespace. */
int event_is_blank(const char *s, size_t len);

#endif
