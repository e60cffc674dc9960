// Timeline replay of a layer schedule. See schedule_cost.h.
#include "tiling/schedule_cost.h"

#include <algorithm>

namespace htvm {

int64_t Timeline::dma(int64_t calls, int64_t callCycles) {
  int64_t start = std::max(host_, dmaFree_);
  dmaFree_ = start + calls * callCycles;
  cost_.dma += calls * callCycles;
  cost_.dmaCalls += calls;
  return dmaFree_;
}

void Timeline::wait(int64_t until) { host_ = std::max(host_, until); }

int64_t Timeline::job(int64_t setup, int64_t compute, int64_t weights) {
  host_ = std::max(host_, jobEnd_) + setup;
  jobEnd_ = host_ + compute + weights;
  cost_.setup += setup;
  cost_.compute += compute;
  cost_.weights += weights;
  cost_.jobs += 1;
  return jobEnd_;
}

void Timeline::jobWait() { host_ = std::max(host_, jobEnd_); }

int64_t Timeline::elapsed() const { return std::max({host_, jobEnd_, dmaFree_}); }

ScheduleCost Timeline::finish() const {
  ScheduleCost c = cost_;
  c.elapsed = elapsed();
  return c;
}

JobCycles tileJobCycles(const TileLayer& l, const TileJob& j, const AcceleratorDesc& a) {
  return a.backend->jobCycles(l, j, a);
}

int64_t xferCycles(const DmaDesc& d, const Xfer& x) {
  return x.calls() * dmaCallCycles(d, x.rowBytes);
}

namespace {

struct Replay {
  const TileLayer& l;
  const LayerSchedule& s;
  const AcceleratorDesc& a;
  Timeline t;

  int64_t copyIn(int32_t tile) {
    int64_t end = 0;
    const InputTile& in = s.inTiles[static_cast<size_t>(tile)];
    for (size_t k = 0; k < in.operands.size(); ++k)
      if (!s.inResident[k])
        end = std::max(
            end, t.dma(in.operands[k].calls(), dmaCallCycles(a.dma, in.operands[k].rowBytes)));
    return end;
  }
  int64_t copyOut(size_t step) {
    if (s.outResident) return 0;
    const Xfer& x = s.steps[step].out;
    return t.dma(x.calls(), dmaCallCycles(a.dma, x.rowBytes));
  }
  void runJob(size_t step) {
    JobCycles c = tileJobCycles(l, s.steps[step].job, a);
    for (int64_t i = 0; i < c.count; ++i) t.job(c.setup, c.compute, c.weights);
  }
  void loadWeights() {
    JobCycles m = a.backend->preloadCycles(l, a);
    t.job(m.setup, m.compute, m.weights);
    t.jobWait();
  }

  // Double-buffered: copy tile 0 (overlapping the hoisted weight load), then per step: queue the
  // next input tile and the previous step's output, run the job, wait for all three.
  void runDouble() {
    int64_t first = copyIn(s.steps[0].inTile);
    if (s.preload) loadWeights();
    t.wait(first);
    for (size_t i = 0; i < s.steps.size(); ++i) {
      int64_t pre = s.steps[i].prefetch >= 0 ? copyIn(s.steps[i].prefetch) : 0;
      int64_t out = i > 0 ? copyOut(i - 1) : 0;
      runJob(i);
      t.jobWait();
      t.wait(pre);
      t.wait(out);
    }
    t.wait(copyOut(s.steps.size() - 1));
  }

  // Single buffer, blocking (HTVM/DORY): copy in, job, copy out, one after the other.
  void runSingle() {
    if (s.preload) loadWeights();
    for (size_t i = 0; i < s.steps.size(); ++i) {
      if (s.steps[i].load >= 0) t.wait(copyIn(s.steps[i].load));
      runJob(i);
      t.jobWait();
      t.wait(copyOut(i));
    }
  }
};

}  // namespace

ScheduleCost costSchedule(const TileLayer& l, const LayerSchedule& s, const AcceleratorDesc& a) {
  Replay r{l, s, a, Timeline()};
  if (s.scheme == BufferScheme::Double)
    r.runDouble();
  else
    r.runSingle();
  return r.t.finish();
}

}  // namespace htvm
