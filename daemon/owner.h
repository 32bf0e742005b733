/*
 * owner.h - the check that warmthd running as root does not create its
 * state files (the database, the dead-letter file, a file notifier's file)
 * in a directory that belongs to another user, the service's own.
 */
#ifndef WARMTH_OWNER_H
#define WARMTH_OWNER_H

#include <sys/types.h>

#include "warmth/conf.h"
#include "warmth/util.h"

/*
 * With euid 0, refuses a config whose state files' directories belong to
 * another user: files root made there would belong to root, and the
 * service running as that user could then no longer write them. Returns
 * 0, or -1 with a message in err that names the file, the directory, its
 * owner and what to do. With any other euid it returns 0: the kernel's
 * permissions decide.
 */
int owner_check_state(const struct conf *conf, const char *config_path, uid_t euid,
                      struct buf *err);

#endif
