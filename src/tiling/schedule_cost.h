// Modeled cycles of a layer schedule with overlap: the schedule's HAL calls, in the order the
// generated C issues them, replayed on a timeline of one accelerator. The simulator HAL
// (runtime/hal/sim) keeps the same timeline in C (docs/ACCELERATOR_FORMATS.md, "Timeline"), so the
// compiler's prediction and the simulator's `elapsed_cycles` agree exactly; a test checks it.
//
// Timeline of one accelerator (all in host cycles):
//   host      where the host program is;
//   jobEnd    when the accelerator's last job finishes (jobs run one at a time);
//   dmaFree   when the DMA engine has finished everything queued (one transfer at a time).
// A copy of n 1-D calls is queued: it starts at max(host, dmaFree) and takes n calls' cycles; the
// host does not wait for it until htvm_dma_wait (host = max(host, its end)). A job: the host waits
// for the previous job, spends job_setup_cycles configuring it, and the accelerator then runs the
// weight streaming and the compute; htvm_accel_wait advances the host to its end. A depthwise call
// is one such job per channel. Per-tile overhead is therefore job_setup_cycles per job (derived
// from the platform, no separate constant) plus dma_setup_cycles per 1-D call.
#pragma once

#include <cstdint>

#include "platform/platform.h"
#include "tiling/tile_geometry.h"
#include "tiling/tile_plan.h"

namespace htvm {

class Timeline {
 public:
  // Queues a copy of `calls` 1-D calls of `callCycles` each; returns when it completes.
  int64_t dma(int64_t calls, int64_t callCycles);
  void wait(int64_t until);  // htvm_dma_wait on a copy that completes at `until`
  // Triggers one job (host configures it after the previous job finished); returns its end.
  int64_t job(int64_t setup, int64_t compute, int64_t weights);
  void jobWait();  // htvm_accel_wait
  int64_t elapsed() const;
  const ScheduleCost& cost() const { return cost_; }
  ScheduleCost finish() const;  // cost() with elapsed filled in

 private:
  int64_t host_ = 0, jobEnd_ = 0, dmaFree_ = 0;
  ScheduleCost cost_;
};

// One HAL job call of a tile, as the accelerator's backend models it.
JobCycles tileJobCycles(const TileLayer& l, const TileJob& j, const AcceleratorDesc& a);

// Cycles of one copy: calls x (dma_setup + ceil(round_up(rowBytes, granule) / bytes_per_cycle)).
int64_t xferCycles(const DmaDesc& d, const Xfer& x);

// Replays the schedule as emitted (see the C emitter, emit_accel_layers.cpp) on a fresh timeline.
ScheduleCost costSchedule(const TileLayer& l, const LayerSchedule& s, const AcceleratorDesc& a);

}  // namespace htvm
