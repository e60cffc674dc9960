/* Profiling hooks. HTVM_PROFILE (make PROFILE=...): 0 off, 1 global (demo/main.c times the
 * whole htvm_model_run), 2 individual (every layer). network.c brackets layer i with
 * HTVM_PROFILE_BEGIN(i) / HTVM_PROFILE_END(i); demo/main.c implements them (rdcycle and
 * rdinstret on rv32, CLOCK_MONOTONIC nanoseconds on the host). Off, they compile to nothing. */
#ifndef HTVM_PROFILE_H
#define HTVM_PROFILE_H

#ifndef HTVM_PROFILE
#define HTVM_PROFILE 0
#endif

#if HTVM_PROFILE == 2
#ifdef __cplusplus
extern "C" {
#endif
void htvm_profile_begin(int layer);
void htvm_profile_end(int layer);
#ifdef __cplusplus
}
#endif
#define HTVM_PROFILE_BEGIN(layer) htvm_profile_begin(layer)
#define HTVM_PROFILE_END(layer) htvm_profile_end(layer)
#else
#define HTVM_PROFILE_BEGIN(layer) ((void)0)
#define HTVM_PROFILE_END(layer) ((void)0)
#endif

#endif /* HTVM_PROFILE_H */
