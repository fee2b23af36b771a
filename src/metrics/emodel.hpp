// Simplified ITU-T G.107 E-model for a data link: turns RTT, jitter and loss into an R factor
// and a MOS, so quality can be reported as one perceptual number as well as a grade.
//   d      = rtt/2 + 2*jitter                       (one-way delay plus a jitter buffer, ms)
//   Id     = 0.024 d + 0.11 (d - 177.3) H(d - 177.3)
//   Ie_eff = Ie + (95 - Ie) * Ppl / (Ppl/BurstR + Bpl)   (Ppl = loss in percent)
//   R      = 93.2 - Id - Ie_eff
//   MOS    = 1 + 0.035 R + R (R - 60)(100 - R) 7e-6, clamped to [1, 4.5]
// Other impairments (noise, echo, advantage factor) are left at their G.107 defaults, which is
// what the 93.2 base already accounts for.
#pragma once

namespace wre {

struct EModelParams {
  double ie = 0;      // equipment impairment of the codec; 0 = none (raw data link)
  double bpl = 4.3;   // packet-loss robustness; 4.3 is G.711 with loss concealment
  double burstR = 1;  // burst ratio; 1 = random (independent) loss
};

struct EModelScore {
  double oneWayDelayMs = 0;
  double delayImpairment = 0;  // Id
  double lossImpairment = 0;   // Ie_eff
  double rFactor = 0;
  double mos = 1;
};

class EModel {
 public:
  explicit EModel(EModelParams params = {}) : params_(params) {}

  // rttMs and jitterMs in milliseconds, lossRate a fraction; negative inputs count as 0 and loss
  // above 1 as 1. NaN in gives NaN out: grade Unknown instead of scoring missing data.
  EModelScore score(double rttMs, double jitterMs, double lossRate) const;

  static double oneWayDelayMs(double rttMs, double jitterMs);
  static double delayImpairment(double oneWayDelayMs);
  double lossImpairment(double lossRate) const;
  static double mosFromRFactor(double r);

  const EModelParams& params() const { return params_; }

 private:
  EModelParams params_;
};

}  // namespace wre
