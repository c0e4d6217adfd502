/*
 * cairnctl: texts that etcdctl gets from Go's runtime and standard
 * library rather than from etcd: strconv.ParseUint's errors,
 * time.Duration's String, and the panic of a nil pointer dereference
 * that some of etcdctl 3.4's printers end in.
 */
#ifndef CAIRN_CTL_GOTEXT_H
#define CAIRN_CTL_GOTEXT_H

#include <stddef.h>
#include <stdint.h>

/* Room for any text gotext_duration writes, and its NUL. */
#define GOTEXT_DURATION_BYTES 40

/* strconv.ParseUint(s, 16, 64): 0 with *v set, or -1 with err filled
 * with Go's NumError text ("strconv.ParseUint: parsing \"zz\": invalid
 * syntax", "... value out of range"). */
int gotext_parse_hex(const char *s, uint64_t *v, char *err, size_t errlen);

/* time.Duration(ns).String(): "0s", "812.5µs", "1.5s", "1h2m3s". */
void gotext_duration(char *dst, size_t cap, int64_t ns);

/* Ends the program as Go's runtime does when etcdctl's code dereferences
 * a nil pointer: the panic's text on stderr, the frame named by 'func'
 * and 'file' (etcdctl's, for the reader), exit status 2. */
__attribute__((noreturn)) void gotext_nil_panic(const char *func, const char *file);

#endif
