/*
 * parse_only.c - the parse-only pass of bench/ingest.sh: reads a JSON Lines
 * file in large chunks, splits it into lines with memchr and hands each line
 * to event_parse(), exactly the first two stages of warmthd's ingest path
 * (tail.c's read and split, event.c's parse) without state, scoring or
 * SQLite. Its time against `wc -l` and `warmthd --once` over the same file
 * shows what each stage costs.
 *
 * Usage: parse_only FILE. Prints one line: "lines N accepted N rejected N
 * contacts N seconds S", where contacts counts distinct (account, actor)
 * pairs among accepted events, so the benchmark can report how many
 * contacts the file really has. The contact count uses a separate, cheap
 * open-addressing table of 64-bit XXH3 hashes that is filled after the
 * timed pass, so that counting does not inflate the parse figure.
 *
 * The chunk size (4 MiB) is larger than the daemon's default read_chunk so
 * that system calls do not weigh in: this is the floor of parsing, not a
 * model of the tailer. A line cut by the chunk end is moved to the front of
 * the buffer and completed by the next read, as tail.c does.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xxhash.h>

#include "warmth/event.h"

#define PARSE_ONLY_CHUNK (4u << 20)
#define PARSE_ONLY_MAX_LINE (1u << 20)

struct parse_only_seen {
	uint64_t *slots; /* 0 marks an empty slot; a zero hash is stored as 1 */
	size_t mask;
	size_t count;
};

static double parse_only_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void parse_only_seen_grow(struct parse_only_seen *s);

static void parse_only_seen_add(struct parse_only_seen *s, uint64_t h)
{
	size_t i;

	if (h == 0)
		h = 1;
	/* Keep the table at most half full so that probes stay short. */
	if ((s->count + 1) * 2 > s->mask + 1)
		parse_only_seen_grow(s);
	for (i = (size_t)h & s->mask; s->slots[i] != 0; i = (i + 1) & s->mask)
		if (s->slots[i] == h)
			return;
	s->slots[i] = h;
	s->count++;
}

static void parse_only_seen_grow(struct parse_only_seen *s)
{
	struct parse_only_seen bigger;
	size_t n = s->slots ? (s->mask + 1) * 2 : 1u << 16;

	bigger.slots = calloc(n, sizeof *bigger.slots);
	if (bigger.slots == NULL) {
		fprintf(stderr, "parse_only: out of memory\n");
		exit(1);
	}
	bigger.mask = n - 1;
	bigger.count = 0;
	for (size_t i = 0; s->slots && i <= s->mask; i++)
		if (s->slots[i] != 0)
			parse_only_seen_add(&bigger, s->slots[i]);
	free(s->slots);
	*s = bigger;
}

/*
 * Reads fd to its end, calling event_parse() on every complete line.
 * When seen is not NULL, also records each accepted event's contact.
 * Returns 0, or -1 on a read error (reported).
 */
static int parse_only_pass(int fd, char *buf, struct event_parser *parser,
                           struct parse_only_seen *seen, uint64_t *lines, uint64_t *accepted)
{
	size_t have = 0;
	struct event ev;

	for (;;) {
		ssize_t n = read(fd, buf + have, PARSE_ONLY_CHUNK + PARSE_ONLY_MAX_LINE - have);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("parse_only: read");
			return -1;
		}
		if (n == 0)
			break;
		have += (size_t)n;
		char *p = buf, *end = buf + have;
		char *nl;
		while ((nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
			(*lines)++;
			if (event_parse(parser, p, (size_t)(nl - p), &ev) == REJECT_NONE) {
				(*accepted)++;
				if (seen && ev.actor.ptr) {
					/* Account and actor hashed apart, then combined:
					 * "a" + "bc" and "ab" + "c" stay different. */
					uint64_t h = XXH3_64bits(ev.actor.ptr, ev.actor.len);
					h ^= XXH3_64bits(ev.account.ptr, ev.account.len) * 0x9e3779b97f4a7c15u;
					parse_only_seen_add(seen, h);
				}
			}
			p = nl + 1;
		}
		have = (size_t)(end - p);
		if (have >= PARSE_ONLY_MAX_LINE) {
			/* The daemon would reject such a line as too long; here
			 * it is simply dropped, as no benchmark file has one. */
			have = 0;
		}
		memmove(buf, p, have);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: parse_only FILE\n");
		return 2;
	}
	int fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "parse_only: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	char *buf = malloc(PARSE_ONLY_CHUNK + PARSE_ONLY_MAX_LINE);
	if (buf == NULL) {
		fprintf(stderr, "parse_only: out of memory\n");
		return 1;
	}
	struct event_parser *parser = event_parser_new();
	uint64_t lines = 0, accepted = 0;

	double t0 = parse_only_now();
	if (parse_only_pass(fd, buf, parser, NULL, &lines, &accepted) < 0)
		return 1;
	double seconds = parse_only_now() - t0;

	/* The untimed second pass: distinct contacts. */
	struct parse_only_seen seen = {0};
	uint64_t lines2 = 0, accepted2 = 0;
	if (lseek(fd, 0, SEEK_SET) < 0 ||
	    parse_only_pass(fd, buf, parser, &seen, &lines2, &accepted2) < 0) {
		perror("parse_only: second pass");
		return 1;
	}
	printf("lines %llu accepted %llu rejected %llu contacts %zu seconds %.6f\n",
	       (unsigned long long)lines, (unsigned long long)accepted,
	       (unsigned long long)(lines - accepted), seen.count, seconds);
	free(seen.slots);
	event_parser_free(parser);
	free(buf);
	close(fd);
	return 0;
}
