/* seed_mq.h - POSIX message queues open before tracing, from their /proc/PID/fd link. */
#ifndef IPCS_SEED_MQ_H
#define IPCS_SEED_MQ_H

#include "ipcscope_abi.h"

/*
 * link is /proc/PID/fd/N: if it is a message queue (mqueue filesystem), fill
 * rec->chan (kind mq, inode and device as the probes see them) and rec->path
 * (its name, "/name"). -ENOENT for anything else.
 */
int seed_mq_classify(const char *link, struct ipcs_seed_fd_rec *rec);

#endif
