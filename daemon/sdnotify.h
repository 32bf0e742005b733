/*
 * sdnotify.h - telling systemd about the daemon's life (Type=notify):
 * READY=1, STATUS=..., RELOADING=1, STOPPING=1, WATCHDOG=1.
 */
#ifndef WARMTH_SDNOTIFY_H
#define WARMTH_SDNOTIFY_H

#include <stddef.h>
#include <stdint.h>

/* Reads $NOTIFY_SOCKET; without it the functions below do nothing. 0 or -1. */
int sdnotify_init(void);
/* Sends one message ("READY=1", "STATUS=...", several joined by '\n'). */
void sdnotify(const char *msg);
/* RELOADING=1 with MONOTONIC_USEC, as systemd's reload protocol asks. */
void sdnotify_reloading(void);
/* The watchdog interval systemd expects pings within, 0 when disabled. */
uint64_t sdnotify_watchdog_usec(void);
void sdnotify_close(void);

#endif
