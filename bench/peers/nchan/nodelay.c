/*
 * For measuring only: sets TCP_NODELAY on every socket nginx accepts, so that nchan's WebSocket
 * subscribers send each frame at once as Herald's do (nchan never sets it on them, so the kernel
 * holds a frame while the previous one is unacknowledged: Nagle's algorithm). With it, S1 compares
 * the servers on equal terms (docs/benchmarks.md, stop 20). Build and use:
 *   gcc -O2 -shared -fPIC -o /tmp/nodelay.so bench/peers/nchan/nodelay.c -ldl
 *   SERVER=nchan SERVER_PRELOAD=/tmp/nodelay.so bench/s1-kernel-split.sh plain
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
static void nodelay(int fd) { if (fd >= 0) { int one = 1; setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); } }
int accept4(int s, struct sockaddr *a, socklen_t *l, int f) {
  static int (*real)(int, struct sockaddr *, socklen_t *, int);
  if (!real) real = dlsym(RTLD_NEXT, "accept4");
  int fd = real(s, a, l, f); nodelay(fd); return fd;
}
int accept(int s, struct sockaddr *a, socklen_t *l) {
  static int (*real)(int, struct sockaddr *, socklen_t *);
  if (!real) real = dlsym(RTLD_NEXT, "accept");
  int fd = real(s, a, l); nodelay(fd); return fd;
}
