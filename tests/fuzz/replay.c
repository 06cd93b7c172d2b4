// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A libFuzzer target without libFuzzer: main() runs LLVMFuzzerTestOneInput()
 * once on each file named, as the fuzzer would.  make check builds the
 * targets that found bugs with it (gcc, no clang needed) and replays the
 * inputs that found them, kept in tests/fuzz/regress/ (tests/fuzz/regress.sh):
 * a target traps on what it checks, so a bug come back fails the suite.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	int i;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		FILE *fp = fopen(argv[i], "rb");
		uint8_t *buf = NULL;
		size_t len = 0, cap = 0, n;

		if (!fp) {
			perror(argv[i]);
			return 2;
		}
		do {
			if (len == cap) {
				uint8_t *nb = realloc(buf, (cap = cap ? 2 * cap : 65536));

				if (!nb)
					return 2;
				buf = nb;
			}
			n = fread(buf + len, 1, cap - len, fp);
			len += n;
		} while (n > 0);
		fclose(fp);
		LLVMFuzzerTestOneInput(buf, len);
		free(buf);
	}
	return 0;
}
