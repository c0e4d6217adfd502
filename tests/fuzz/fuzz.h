/*
 * Fuzz targets: each tests/fuzz/fuzz_*.c defines libFuzzer's entry point.
 * Built two ways: with clang's libFuzzer by `make fuzz` (tests/fuzz/run.sh,
 * ASan and UBSan, for a bounded time), and with the normal compiler and
 * tests/fuzz/corpus_main.c into a program `make check` runs over the
 * target's kept inputs (tests/fuzz/corpus/TARGET/): every input a fuzzer
 * ever found to crash stays there as a regression test.
 */
#ifndef CAIRN_TESTS_FUZZ_H
#define CAIRN_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
