#include "client/latency_samples.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace ttycall::client {

double LatencySamples::percentile(double p) const {
  const size_t n = std::min<uint64_t>(count_, kMaxSamples);
  if (n == 0) return 0;
  std::vector<float> sorted(samples_.begin(), samples_.begin() + n);
  std::sort(sorted.begin(), sorted.end());
  const size_t rank = std::min(n - 1, size_t(std::ceil(p / 100.0 * double(n))) - (p > 0 ? 1 : 0));
  return sorted[rank];
}

}  // namespace ttycall::client
