/*
 * cairnctl: reading passwords from standard input as etcdctl does: its
 * prompts (bgentry/speakeasy, which runs /bin/stty to hide the typing)
 * and its fmt.Scanf("%s") for user add and passwd --interactive=false.
 */
#ifndef CAIRN_CTL_ASKPASS_H
#define CAIRN_CTL_ASKPASS_H

#include <stddef.h>

/*
 * speakeasy.Ask: prints prompt to stdout, runs "/bin/stty -echo" on the
 * standard streams (whatever stty says goes to stderr, as etcdctl's), reads
 * one line from stdin a byte at a time (EOF ends it too: no error), runs
 * "/bin/stty echo", prints a newline. dst (cap bytes, cap > 0) gets the line
 * without a final "\r" and trimmed of white space (strings.TrimSpace);
 * bytes past cap - 1 are dropped. 0; or -1 with err filled with
 * speakeasy's text when stty could not be started (dst empty). A
 * terminating signal during the read restores echo and exits 255, as
 * speakeasy does.
 */
int askpass_ask(const char *prompt, char *dst, size_t cap, char *err, size_t errlen);

/*
 * fmt.Scanf("%s", &s) on stdin: the first word of the line (blanks
 * skipped, but not a newline: then, as at EOF, dst is empty), read a
 * byte at a time; the byte that ends the word is consumed, the rest left.
 * Invalid UTF-8 reads as U+FFFD, as Go's scanner reads it. dst as above.
 */
void askpass_scan(char *dst, size_t cap);

#endif
