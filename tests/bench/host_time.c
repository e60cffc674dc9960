/* host_time.c: wall time of htvm_model_run() on the host, for scripts/bench_host.sh.
 *
 * usage: host_time INPUT.npy RUNS
 * Links with a generated project's model sources (src/network.c, src/cpu_layers.c,
 * src/weights.c, ...). Reads the first sample of a float32 .npy file, runs the model 20 times to
 * warm up, then RUNS times, timing each run with CLOCK_MONOTONIC, and prints the median run time
 * in microseconds.
 *
 * Built with -DHTVM_PROFILE=2 it also implements the per-layer hooks of htvm_profile.h and prints,
 * after the total, one line per layer index: "layer <i> <median ns> <min ns>" over the timed runs (warm
 * caches, unlike `htvm profile --target host`, which times the first run only). */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "htvm_model.h"

#include "htvm_profile.h"

static float input[HTVM_INPUT_ELEMS];

#if HTVM_PROFILE == 2
#define MAX_LAYERS 1024
#define MAX_RUNS 1000
static double layer_ns[MAX_LAYERS][MAX_RUNS];
static struct timespec layer_t0;
static int layer_run = -1; /* index of the timed run, -1 while warming up */
static int layers_seen;

void htvm_profile_begin(int layer) {
  (void)layer;
  clock_gettime(CLOCK_MONOTONIC, &layer_t0);
}
void htvm_profile_end(int layer) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (layer_run < 0 || layer_run >= MAX_RUNS || layer < 0 || layer >= MAX_LAYERS) return;
  layer_ns[layer][layer_run] = (double)(t1.tv_sec - layer_t0.tv_sec) * 1e9 +
                               (double)(t1.tv_nsec - layer_t0.tv_nsec);
  if (layer + 1 > layers_seen) layers_seen = layer + 1;
}
#endif
static float output[HTVM_OUTPUT_ELEMS];

/* Reads the first HTVM_INPUT_ELEMS float32 values of a little-endian '<f4' .npy file (v1-v3). */
static int read_npy(const char* path) {
  unsigned char magic[10];
  unsigned long header;
  char* text;
  int ok;
  FILE* f = fopen(path, "rb");
  if (f == NULL || fread(magic, 1, 10, f) != 10 || memcmp(magic, "\x93NUMPY", 6) != 0) {
    fprintf(stderr, "host_time: %s is not an .npy file\n", path);
    return 0;
  }
  header = magic[8] | (unsigned long)magic[9] << 8;
  if (magic[6] >= 2) {
    unsigned char more[2];
    if (fread(more, 1, 2, f) != 2) return 0;
    header |= (unsigned long)more[0] << 16 | (unsigned long)more[1] << 24;
  }
  text = malloc(header + 1);
  ok = text != NULL && fread(text, 1, header, f) == header;
  if (ok) {
    text[header] = '\0';
    ok = strstr(text, "'<f4'") != NULL;
    if (!ok) fprintf(stderr, "host_time: %s is not little-endian float32\n", path);
  }
  free(text);
  if (ok && fread(input, sizeof input, 1, f) != 1) {
    fprintf(stderr, "host_time: %s holds fewer than %d values\n", path, HTVM_INPUT_ELEMS);
    ok = 0;
  }
  fclose(f);
  return ok;
}

static int by_value(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return (x > y) - (x < y);
}

int main(int argc, char** argv) {
  int runs, i;
  double* us;
  if (argc != 3 || (runs = atoi(argv[2])) < 1) {
    fprintf(stderr, "usage: host_time INPUT.npy RUNS\n");
    return 2;
  }
  if (!read_npy(argv[1])) return 2;
  us = malloc(sizeof(double) * (size_t)runs);
  if (us == NULL) return 1;
  for (i = 0; i < 20; ++i)
    if (htvm_model_run(input, output) != 0) return 1;
  for (i = 0; i < runs; ++i) {
    struct timespec t0, t1;
#if HTVM_PROFILE == 2
    layer_run = i;
#endif
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (htvm_model_run(input, output) != 0) return 1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    us[i] = (double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3;
  }
  qsort(us, (size_t)runs, sizeof(double), by_value);
  printf("%.1f\n", us[runs / 2]);
#if HTVM_PROFILE == 2
  {
    int l, n = runs < MAX_RUNS ? runs : MAX_RUNS;
    for (l = 0; l < layers_seen; ++l) {
      qsort(layer_ns[l], (size_t)n, sizeof(double), by_value);
      printf("layer %d %.0f %.0f\n", l, layer_ns[l][n / 2], layer_ns[l][0]);
    }
  }
#endif
  free(us);
  return 0;
}
