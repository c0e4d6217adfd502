/*
 * cairnctl: the console progress bar etcdctl's check commands draw
 * (gopkg.in/cheggaaa/pb.v1 with the format "Bom !"): counters, a bar as
 * wide as the terminal allows, the percentage and the time left, drawn
 * again every 200 ms on the client's event loop.
 */
#ifndef CAIRN_CTL_PBAR_H
#define CAIRN_CTL_PBAR_H

#include <stdint.h>

#include <event2/event.h>

struct pbar;

/* pb.New(total).Format("Bom !").Start(): drawn at once on stdout, then
 * every 200 ms from base's loop (borrowed until pbar_free). */
struct pbar *pbar_start(struct event_base *base, int64_t total);
/* bar.Add(n): the count goes up; drawn at the next refresh. */
void pbar_add(struct pbar *b, int64_t n);
/* bar.Finish(): the last drawing (the time spent for the time left) and
 * a newline; no refresh after. Once; later calls do nothing. */
void pbar_finish(struct pbar *b);
/* Stops the refreshes and frees b (NULL: nothing). */
void pbar_free(struct pbar *b);

#endif
