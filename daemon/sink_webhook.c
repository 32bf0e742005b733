/*
 * sink_webhook.c - the webhook sink: an HTTP(S) POST of each record (see
 * sink.h), through libcurl's multi-socket API on the daemon's loop.
 *
 * Design. A sink owns one CURLM and one uv_timer_t. libcurl says which
 * sockets it waits on (CURLMOPT_SOCKETFUNCTION): each gets a uv_poll_t,
 * made on first use and closed when libcurl removes the socket; and when
 * it next needs to be called (CURLMOPT_TIMERFUNCTION): the timer. Poll and
 * timer callbacks call curl_multi_socket_action, then collect finished
 * transfers with curl_multi_info_read. So requests never block the loop
 * and no thread of ours is involved (libcurl's resolver may use one of its
 * own, which is its business). Deliveries overlap, each an easy handle
 * with the record as its body; connections are reused between them.
 *
 * The outcome: 2xx delivered; 408, 429 and 5xx, timeouts and connection or
 * TLS errors retried; other statuses (4xx, and 3xx: redirects are not
 * followed, a moved hook is a config change) failed. Every request carries
 * "Content-Type: application/json" (unless the config sets its own), the
 * configured headers, and "Idempotency-Key" with the record's id. With a
 * secret (secret_file or secret_credential), "X-Warmth-Signature:
 * sha256=HEX" carries the HMAC-SHA256 of the exact body bytes under that
 * key (OpenSSL's libcrypto), so a receiver can check that the request
 * comes from us and was not altered; the key itself is never sent nor
 * logged, and is cleared from memory with the sink.
 *
 * Closing drops transfers under way (reported as retries), cleans up the
 * CURLM, and closes the timer and every poll handle; the sink is gone when
 * the last of them is closed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "warmth/log.h"
#include "warmth/util.h"
#include "sink.h"

#define SINK_WEBHOOK_BODY_EXCERPT 120 /* bytes of a failed response kept for the reason */

struct sink_webhook_transfer;
struct sink_webhook_socket;

struct sink_webhook {
	struct sink *sink;
	CURLM *multi;
	uv_timer_t timer;
	char *url;
	struct curl_slist *headers;  /* the configured ones and Content-Type */
	int64_t timeout_ms;
	unsigned char *secret;       /* the HMAC key, NULL: requests are not signed */
	size_t secret_len;
	struct sink_webhook_transfer *transfers;
	struct sink_webhook_socket *sockets;
	int open_handles;            /* the timer and the poll handles not yet closed */
	int closing;
};

/* One socket libcurl waits on; freed in its poll handle's close callback. */
struct sink_webhook_socket {
	struct sink_webhook *hook;
	struct sink_webhook_socket *next;
	uv_poll_t poll;
	curl_socket_t fd;
	int closing;
};

struct sink_webhook_transfer {
	struct sink_webhook *hook;
	struct sink_webhook_transfer *next;
	struct sink_delivery *d;
	CURL *easy;
	struct curl_slist *headers;  /* the sink's plus Idempotency-Key */
	struct buf body;             /* the start of the response, for failure reasons */
	char error[CURL_ERROR_SIZE];
};

static void sink_webhook_check_done(struct sink_webhook *hook);

static void sink_webhook_finish_close(struct sink_webhook *hook)
{
	struct sink *sink = hook->sink;

	if (hook->open_handles > 0)
		return;
	curl_slist_free_all(hook->headers);
	if (hook->secret != NULL)
		OPENSSL_cleanse(hook->secret, hook->secret_len);
	free(hook->secret);
	free(hook->url);
	free(hook);
	sink_closed(sink);
}

static void sink_webhook_handle_closed(uv_handle_t *handle)
{
	struct sink_webhook *hook;

	if (handle->type == UV_POLL) {
		struct sink_webhook_socket *s = handle->data;
		hook = s->hook;
		for (struct sink_webhook_socket **pp = &hook->sockets; *pp != NULL; pp = &(*pp)->next) {
			if (*pp == s) {
				*pp = s->next;
				break;
			}
		}
		free(s);
	} else {
		hook = handle->data;
	}
	hook->open_handles--;
	if (hook->closing)
		sink_webhook_finish_close(hook);
}

static void sink_webhook_socket_close(struct sink_webhook_socket *s)
{
	if (s->closing)
		return;
	s->closing = 1;
	uv_close((uv_handle_t *)&s->poll, sink_webhook_handle_closed);
}

static void sink_webhook_on_poll(uv_poll_t *poll, int status, int events)
{
	struct sink_webhook_socket *s = poll->data;
	struct sink_webhook *hook = s->hook;
	int flags = 0, running;

	if (status < 0)
		flags = CURL_CSELECT_ERR;
	if (events & UV_READABLE)
		flags |= CURL_CSELECT_IN;
	if (events & UV_WRITABLE)
		flags |= CURL_CSELECT_OUT;
	curl_multi_socket_action(hook->multi, s->fd, flags, &running);
	sink_webhook_check_done(hook);
}

/* CURLMOPT_SOCKETFUNCTION: what libcurl wants to wait for on socket fd. */
static int sink_webhook_on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct sink_webhook *hook = userp;
	struct sink_webhook_socket *s = socketp;
	int events = 0;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (s != NULL) {
			if (!hook->closing) /* during curl_multi_cleanup the socket table is going away */
				curl_multi_assign(hook->multi, fd, NULL);
			sink_webhook_socket_close(s);
		}
		return 0;
	}
	if (s == NULL) {
		s = xcalloc(1, sizeof(*s));
		s->hook = hook;
		s->fd = fd;
		if (uv_poll_init_socket(hook->sink->loop, &s->poll, fd) < 0) {
			free(s);
			return -1; /* libcurl fails the transfer, which is then retried */
		}
		s->poll.data = s;
		s->next = hook->sockets;
		hook->sockets = s;
		hook->open_handles++;
		curl_multi_assign(hook->multi, fd, s);
	}
	if (what == CURL_POLL_IN || what == CURL_POLL_INOUT)
		events |= UV_READABLE;
	if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT)
		events |= UV_WRITABLE;
	uv_poll_start(&s->poll, events, sink_webhook_on_poll);
	return 0;
}

static void sink_webhook_on_timer(uv_timer_t *timer)
{
	struct sink_webhook *hook = timer->data;
	int running;

	curl_multi_socket_action(hook->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	sink_webhook_check_done(hook);
}

/* CURLMOPT_TIMERFUNCTION: call libcurl back in timeout_ms (-1: no need). */
static int sink_webhook_on_timeout(CURLM *multi, long timeout_ms, void *userp)
{
	struct sink_webhook *hook = userp;

	(void)multi;
	if (hook->closing)
		return 0;
	if (timeout_ms < 0)
		uv_timer_stop(&hook->timer);
	else /* 0 too goes through the loop: libcurl must not be re-entered from here */
		uv_timer_start(&hook->timer, sink_webhook_on_timer, (uint64_t)timeout_ms, 0);
	return 0;
}

static size_t sink_webhook_on_body(char *data, size_t size, size_t nmemb, void *userp)
{
	struct sink_webhook_transfer *t = userp;
	size_t n = size * nmemb;

	if (t->body.len < SINK_WEBHOOK_BODY_EXCERPT)
		buf_append(&t->body, data, n < SINK_WEBHOOK_BODY_EXCERPT - t->body.len
		                                   ? n : SINK_WEBHOOK_BODY_EXCERPT - t->body.len);
	return n;
}

/* The outcome of a finished transfer, and why in words into reason. */
static enum sink_result sink_webhook_outcome(struct sink_webhook_transfer *t, CURLcode code,
                                             struct buf *reason)
{
	long status = 0;

	if (code == CURLE_OPERATION_TIMEDOUT) {
		buf_printf(reason, "timed out after %gs", (double)t->hook->timeout_ms / 1000);
		return SINK_RETRY;
	}
	if (code != CURLE_OK) {
		buf_printf(reason, "%s", t->error[0] != '\0' ? t->error : curl_easy_strerror(code));
		/* A URL libcurl cannot use stays unusable; anything else may pass. */
		return code == CURLE_UNSUPPORTED_PROTOCOL || code == CURLE_URL_MALFORMAT ? SINK_FAILED
		                                                                          : SINK_RETRY;
	}
	curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
	if (status >= 200 && status < 300)
		return SINK_DELIVERED;
	buf_printf(reason, "HTTP %ld", status);
	if (t->body.len > 0) {
		buf_append_str(reason, ": ");
		for (size_t i = 0; i < t->body.len; i++) {
			unsigned char c = (unsigned char)t->body.data[i];
			buf_printf(reason, "%c", c < 0x20 || c == 0x7f ? ' ' : (char)c);
		}
	}
	return status == 408 || status == 429 || status >= 500 ? SINK_RETRY : SINK_FAILED;
}

static void sink_webhook_transfer_free(struct sink_webhook_transfer *t)
{
	struct sink_webhook *hook = t->hook;

	for (struct sink_webhook_transfer **pp = &hook->transfers; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			break;
		}
	}
	curl_multi_remove_handle(hook->multi, t->easy);
	curl_easy_cleanup(t->easy);
	curl_slist_free_all(t->headers);
	buf_free(&t->body);
	free(t);
}

/* Reports every finished transfer. Stops if a report closes the sink. */
static void sink_webhook_check_done(struct sink_webhook *hook)
{
	CURLMsg *msg;
	int left;

	while (!hook->closing && (msg = curl_multi_info_read(hook->multi, &left)) != NULL) {
		struct sink_webhook_transfer *t;
		struct sink_delivery *d;
		struct buf reason = { 0 };
		enum sink_result result;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
		result = sink_webhook_outcome(t, msg->data.result, &reason);
		d = t->d;
		sink_webhook_transfer_free(t);
		sink_complete(d, result, buf_cstr(&reason));
		buf_free(&reason);
	}
}

/* Appends "X-Warmth-Signature: sha256=HEX", the HMAC-SHA256 of the body. */
static void sink_webhook_sign(const struct sink_webhook *hook, const struct sink_delivery *d,
                              struct curl_slist **headers)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	struct buf b = { 0 };

	if (HMAC(EVP_sha256(), hook->secret, (int)hook->secret_len, (const unsigned char *)d->record,
	         d->len, mac, &maclen) == NULL)
		fatalx("webhook: HMAC-SHA256 failed (libcrypto)");
	buf_append_str(&b, "X-Warmth-Signature: sha256=");
	for (unsigned int i = 0; i < maclen; i++) {
		char pair[2] = { hex[mac[i] >> 4], hex[mac[i] & 15] };
		buf_append(&b, pair, 2);
	}
	*headers = curl_slist_append(*headers, buf_cstr(&b));
	buf_free(&b);
}

static void sink_webhook_deliver(struct sink *sink, struct sink_delivery *d)
{
	struct sink_webhook *hook = sink->state;
	struct sink_webhook_transfer *t = xcalloc(1, sizeof(*t));
	struct sink_record r;

	t->hook = hook;
	t->d = d;
	t->easy = curl_easy_init();
	if (t->easy == NULL)
		fatalx("webhook: curl_easy_init failed (out of memory)");
	for (struct curl_slist *h = hook->headers; h != NULL; h = h->next)
		t->headers = curl_slist_append(t->headers, h->data);
	/* Ids are ours (no line breaks); the check keeps a foreign one out of the header block. */
	if (sink_record_parse(d->record, &r) == 0 && r.id != NULL && strpbrk(r.id, "\r\n") == NULL) {
		struct buf b = { 0 };
		buf_printf(&b, "Idempotency-Key: %s", r.id);
		t->headers = curl_slist_append(t->headers, buf_cstr(&b));
		buf_free(&b);
	}
	sink_record_free(&r);
	if (hook->secret != NULL)
		sink_webhook_sign(hook, d, &t->headers);
	if (t->headers == NULL && hook->headers != NULL)
		fatalx("webhook: curl_slist_append failed (out of memory)");

	curl_easy_setopt(t->easy, CURLOPT_URL, hook->url);
	curl_easy_setopt(t->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(t->easy, CURLOPT_POST, 1L);
	/* The body is the delivery's copy, which outlives the transfer. */
	curl_easy_setopt(t->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)d->len);
	curl_easy_setopt(t->easy, CURLOPT_POSTFIELDS, d->record);
	curl_easy_setopt(t->easy, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(t->easy, CURLOPT_TIMEOUT_MS, (long)hook->timeout_ms);
	curl_easy_setopt(t->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)hook->timeout_ms);
	curl_easy_setopt(t->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(t->easy, CURLOPT_USERAGENT, "warmthd/" WARMTH_VERSION);
	curl_easy_setopt(t->easy, CURLOPT_WRITEFUNCTION, sink_webhook_on_body);
	curl_easy_setopt(t->easy, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(t->easy, CURLOPT_ERRORBUFFER, t->error);
	curl_easy_setopt(t->easy, CURLOPT_PRIVATE, t);
	t->next = hook->transfers;
	hook->transfers = t;
	/* libcurl starts it from the timer callback it asks for now, on the loop. */
	if (curl_multi_add_handle(hook->multi, t->easy) != CURLM_OK)
		fatalx("webhook: curl_multi_add_handle failed");
}

static int sink_webhook_create(struct sink *sink, const struct conf_notify *conf, struct buf *err)
{
	static int curl_ready;
	struct sink_webhook *hook;
	int content_type = 0;

	if (!curl_ready) {
		/* Once per process, before the first transfer; left in place until exit. */
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			buf_printf(err, "webhook %s: libcurl cannot start", conf->url);
			return -1;
		}
		curl_ready = 1;
	}
	hook = xcalloc(1, sizeof(*hook));
	hook->sink = sink;
	hook->url = xstrdup(conf->url);
	hook->timeout_ms = conf->timeout_ms;
	if (conf->secret != NULL) {
		hook->secret = xmalloc(conf->secret_len);
		memcpy(hook->secret, conf->secret, conf->secret_len);
		hook->secret_len = conf->secret_len;
	}
	for (size_t i = 0; i < conf->nheaders; i++) {
		const char *h = conf->headers[i], *colon = strchr(h, ':');
		content_type |= strncasecmp(h, "Content-Type:", 13) == 0;
		if (colon != NULL && colon[strspn(colon + 1, " \t") + 1] == '\0') {
			/* To libcurl "Name:" removes a header; "Name;" sends it empty, as configured. */
			struct buf b = { 0 };
			buf_printf(&b, "%.*s;", (int)(colon - h), h);
			hook->headers = curl_slist_append(hook->headers, buf_cstr(&b));
			buf_free(&b);
			continue;
		}
		hook->headers = curl_slist_append(hook->headers, h);
	}
	if (!content_type)
		hook->headers = curl_slist_append(hook->headers, "Content-Type: application/json");
	/* No "Expect: 100-continue" round trip for larger records: receivers rarely answer it. */
	hook->headers = curl_slist_append(hook->headers, "Expect:");
	hook->multi = curl_multi_init();
	if (hook->headers == NULL || hook->multi == NULL)
		fatalx("webhook: libcurl is out of memory");
	curl_multi_setopt(hook->multi, CURLMOPT_SOCKETFUNCTION, sink_webhook_on_socket);
	curl_multi_setopt(hook->multi, CURLMOPT_SOCKETDATA, hook);
	curl_multi_setopt(hook->multi, CURLMOPT_TIMERFUNCTION, sink_webhook_on_timeout);
	curl_multi_setopt(hook->multi, CURLMOPT_TIMERDATA, hook);
	uv_timer_init(sink->loop, &hook->timer);
	hook->timer.data = hook;
	hook->open_handles = 1;
	sink->state = hook;
	return 0;
}

static void sink_webhook_close(struct sink *sink)
{
	struct sink_webhook *hook = sink->state;

	hook->closing = 1;
	while (hook->transfers != NULL) {
		struct sink_webhook_transfer *t = hook->transfers;
		struct sink_delivery *d = t->d;
		sink_webhook_transfer_free(t);
		sink_complete(d, SINK_RETRY, "sink closed");
	}
	/* Closes cached connections; libcurl may tell us of sockets it removes. */
	curl_multi_cleanup(hook->multi);
	hook->multi = NULL;
	for (struct sink_webhook_socket *s = hook->sockets; s != NULL; s = s->next)
		sink_webhook_socket_close(s);
	uv_close((uv_handle_t *)&hook->timer, sink_webhook_handle_closed);
}

const struct sink_ops sink_webhook_ops = {
	.type = "webhook",
	.serial = 0,
	.create = sink_webhook_create,
	.deliver = sink_webhook_deliver,
	.close = sink_webhook_close,
	.last_id = NULL,
};
