/** The soak's memory envelopes (bench/lib/stats.ts): what its growth figures are slopes through. */
import { peakEnvelope, slope, troughEnvelope } from '../../bench/lib/stats';

/** A sawtooth over 8 minutes: climbs 10 MB within each minute and drops back, on a floor that rises `floorPerMin`. */
function sawtooth(floorPerMin: number): Array<[number, number]> {
  const points: Array<[number, number]> = [];
  for (let i = 0; i <= 480; i++) {
    const min = i / 60;
    points.push([min, 100 + floorPerMin * Math.floor(min) + 10 * (min % 1)]);
  }
  return points;
}

describe('peakEnvelope and troughEnvelope', () => {
  it('take the highest and the lowest point of each equal window, placed at its middle', () => {
    // Windows [0, 2) and [2, 4]: the point at 2 falls in the second.
    const points: Array<[number, number]> = [[0, 5], [1, 9], [2, 1], [3, 7], [4, 4]];
    expect(peakEnvelope(points, 2)).toEqual([[1, 9], [3, 7]]);
    expect(troughEnvelope(points, 2)).toEqual([[1, 5], [3, 1]]);
  });

  it('see a flat sawtooth as flat and a rising floor as growth, wherever the teeth fall', () => {
    expect(slope(troughEnvelope(sawtooth(0), 8))).toBeCloseTo(0, 5);
    expect(slope(peakEnvelope(sawtooth(0), 8))).toBeCloseTo(0, 1);
    expect(slope(troughEnvelope(sawtooth(3), 8))).toBeCloseTo(3, 1);
  });

  it('give nothing for no samples and one window for samples at one instant', () => {
    expect(troughEnvelope([], 8)).toEqual([]);
    expect(troughEnvelope([[2, 5], [2, 3]], 8)).toEqual([[2, 3]]);
  });
});
