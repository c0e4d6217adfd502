/*
 * Benchmark: the public-key work of one TLS handshake with Debian's
 * mbedTLS (the library netd uses), alone: an ECDHE key exchange
 * (generate a key pair, then the shared secret) on X25519 and on P-256,
 * and an ECDSA P-256 signature, in microseconds of CPU each, median of
 * three runs. A server handshake costs at least one exchange and one
 * signature: this is the floor of netd's CPU per handshake.
 * Usage: tls_ecc_bench [--quick]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdh.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/entropy.h>
#include <mbedtls/version.h>

#define BENCH_RUNS 3

static double
bench_cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int
bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* µs of CPU per ECDHE (key pair + shared secret) on group id. */
static double
bench_ecdhe(mbedtls_ecp_group_id id, int n, mbedtls_ctr_drbg_context *rng)
{
	double start = bench_cpu_us();

	for (int i = 0; i < n; i++) {
		mbedtls_ecp_group g;
		mbedtls_mpi d, z;
		mbedtls_ecp_point q;

		mbedtls_ecp_group_init(&g);
		mbedtls_mpi_init(&d);
		mbedtls_mpi_init(&z);
		mbedtls_ecp_point_init(&q);
		/* A fresh group each time, as each handshake's context loads one. */
		if (mbedtls_ecp_group_load(&g, id) != 0 ||
		    mbedtls_ecdh_gen_public(&g, &d, &q, mbedtls_ctr_drbg_random, rng) != 0 ||
		    mbedtls_ecdh_compute_shared(&g, &z, &q, &d, mbedtls_ctr_drbg_random, rng) != 0) {
			fprintf(stderr, "tls_ecc_bench: ECDHE failed\n");
			exit(1);
		}
		mbedtls_ecp_group_free(&g);
		mbedtls_mpi_free(&d);
		mbedtls_mpi_free(&z);
		mbedtls_ecp_point_free(&q);
	}
	return (bench_cpu_us() - start) / n;
}

/* µs of CPU per ECDSA P-256 signature with a long-lived key (netd keeps
 * its certificate's key loaded). */
static double
bench_sign(mbedtls_ecdsa_context *key, int n, mbedtls_ctr_drbg_context *rng)
{
	unsigned char hash[32], sig[MBEDTLS_ECDSA_MAX_LEN];
	size_t len;
	double start;

	memset(hash, 0x5a, sizeof(hash));
	start = bench_cpu_us();
	for (int i = 0; i < n; i++) {
		if (mbedtls_ecdsa_write_signature(key, MBEDTLS_MD_SHA256, hash, sizeof(hash), sig,
		    &len, mbedtls_ctr_drbg_random, rng) != 0) {
			fprintf(stderr, "tls_ecc_bench: signature failed\n");
			exit(1);
		}
	}
	return (bench_cpu_us() - start) / n;
}

int
main(int argc, char **argv)
{
	int n = argc > 1 && strcmp(argv[1], "--quick") == 0 ? 20 : 300;
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context rng;
	mbedtls_ecdsa_context key;
	double x25519[BENCH_RUNS], p256[BENCH_RUNS], sign[BENCH_RUNS];

	mbedtls_entropy_init(&entropy);
	mbedtls_ctr_drbg_init(&rng);
	mbedtls_ecdsa_init(&key);
	if (mbedtls_ctr_drbg_seed(&rng, mbedtls_entropy_func, &entropy, NULL, 0) != 0 ||
	    mbedtls_ecdsa_genkey(&key, MBEDTLS_ECP_DP_SECP256R1, mbedtls_ctr_drbg_random,
	    &rng) != 0) {
		fprintf(stderr, "tls_ecc_bench: cannot set up mbedTLS\n");
		return 1;
	}
	for (int r = 0; r < BENCH_RUNS; r++) {
		x25519[r] = bench_ecdhe(MBEDTLS_ECP_DP_CURVE25519, n, &rng);
		p256[r] = bench_ecdhe(MBEDTLS_ECP_DP_SECP256R1, n, &rng);
		sign[r] = bench_sign(&key, n, &rng);
	}
	qsort(x25519, BENCH_RUNS, sizeof(double), bench_cmp);
	qsort(p256, BENCH_RUNS, sizeof(double), bench_cmp);
	qsort(sign, BENCH_RUNS, sizeof(double), bench_cmp);
	printf("tls_ecc_bench: mbedTLS %s, %d operations per run, median of %d runs, CPU\n",
	    MBEDTLS_VERSION_STRING, n, BENCH_RUNS);
	printf("  ECDHE X25519 (key pair + secret): %8.1f us\n", x25519[1]);
	printf("  ECDHE P-256  (key pair + secret): %8.1f us\n", p256[1]);
	printf("  ECDSA P-256 signature:            %8.1f us\n", sign[1]);
	printf("  floor per handshake (X25519 + signature): %.1f us = %.0f handshakes/s per core\n",
	    x25519[1] + sign[1], 1e6 / (x25519[1] + sign[1]));
	mbedtls_ecdsa_free(&key);
	mbedtls_ctr_drbg_free(&rng);
	mbedtls_entropy_free(&entropy);
	return 0;
}
