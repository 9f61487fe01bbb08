/** The soak's memory statistics (bench/lib/stats.ts): what its growth figures are slopes through. */
import { afterMajorCollections, keptGrowth, peakEnvelope } from '../../bench/lib/stats';

/**
 * A heap read every 5 s for 8 minutes: young garbage climbs 10 MB between scavenges every 20 s; old garbage climbs
 * until a major collection every `majorEveryMin` minutes, from `phaseMin` on; what survives rises `keptPerMin`.
 * Points: [minutes, MB, major collections so far].
 */
function heap(keptPerMin: number, majorEveryMin: number, phaseMin: number): Array<[number, number, number]> {
  const points: Array<[number, number, number]> = [];
  for (let s = 0; s <= 480; s += 5) {
    const min = s / 60;
    const sinceMajor = (((min - phaseMin) % majorEveryMin) + majorEveryMin) % majorEveryMin;
    const majors = Math.floor((min - phaseMin) / majorEveryMin) + 1;
    points.push([min, 100 + keptPerMin * min + 15 * sinceMajor + 10 * ((s % 20) / 20), Math.max(0, majors)]);
  }
  return points;
}

describe('afterMajorCollections', () => {
  it('keeps the readings whose collector count rose since the reading before', () => {
    expect(afterMajorCollections([[0, 50, 0], [1, 80, 0], [2, 40, 1], [3, 70, 1], [4, 45, 3]])).toEqual([[2, 40], [4, 45]]);
    expect(afterMajorCollections([])).toEqual([]);
  });

  it('sees a flat heap as flat and kept memory as growth, however seldom and wherever the collections fall', () => {
    // The lowest reading per minute-long window read -1.4 to +1.8 MB/min on such a flat heap with collections 4 min apart.
    // What is left is the young garbage of the few seconds since the collection (up to 7.5 MB here).
    for (const every of [0.5, 1.5, 2.5]) {
      for (const phase of [0, 0.3, 0.7, 1.9]) {
        expect(Math.abs(keptGrowth(heap(0, every, phase)).mbPerMin)).toBeLessThan(0.5);
        expect(Math.abs(keptGrowth(heap(2, every, phase)).mbPerMin - 2)).toBeLessThan(0.5);
      }
    }
  });
});

describe('keptGrowth', () => {
  it('gives no figure from fewer than three readings after a major collection, and says how many there were', () => {
    expect(keptGrowth(heap(2, 4, 0))).toEqual({ mbPerMin: NaN, readings: 2 });
    expect(keptGrowth(heap(2, 2.5, 0)).readings).toBe(3);
  });
});

describe('peakEnvelope', () => {
  it('takes the highest point of each equal window, placed at its middle', () => {
    // Windows [0, 2) and [2, 4]: the point at 2 falls in the second.
    expect(peakEnvelope([[0, 5], [1, 9], [2, 1], [3, 7], [4, 4]], 2)).toEqual([[1, 9], [3, 7]]);
    expect(peakEnvelope([], 8)).toEqual([]);
  });
});
