import { BodyBudget } from './body-budget';

describe('BodyBudget', () => {
  it('admits reservations up to the bound, and again once they are released', () => {
    const budget = new BodyBudget(100);
    const a = budget.reserve(60)!;
    expect(budget.reserve(50)).toBeNull();
    const b = budget.reserve(40)!;
    expect(budget.inFlightBytes).toBe(100);
    a.release();
    a.release();
    expect(budget.inFlightBytes).toBe(40);
    expect(budget.reserve(60)).not.toBeNull();
    b.release();
  });

  it('grows a reservation as an undeclared body arrives, refusing growth past the bound', () => {
    const budget = new BodyBudget(100);
    const r = budget.reserve(0)!;
    expect(r.cover(30)).toBe(true);
    expect(r.cover(20)).toBe(true);
    expect(budget.inFlightBytes).toBe(30);
    const other = budget.reserve(60)!;
    expect(r.cover(41)).toBe(false);
    expect(budget.inFlightBytes).toBe(90);
    r.release();
    other.release();
    expect(budget.inFlightBytes).toBe(0);
  });

  it('an empty body always fits', () => {
    const budget = new BodyBudget(10);
    budget.reserve(10);
    expect(budget.reserve(0)).not.toBeNull();
  });
});
