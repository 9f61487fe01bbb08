/**
 * The body bytes all requests of this process hold at once (`gateway.maxBodyBytesInFlight`). Bodies are kept whole
 * until their record is stored, so without a bound 60 parallel 16 MiB uploads hold about 1 GiB. A request reserves
 * its declared length before its body is read (and grows the reservation as chunks of an undeclared length arrive);
 * one that does not fit is refused 503 with Retry-After instead of buffered.
 */
export class BodyBudget {
  private used = 0;

  constructor(readonly maxBytes: number) {}

  get inFlightBytes(): number {
    return this.used;
  }

  /** A reservation of `bytes` (possibly 0), or null when it does not fit. */
  reserve(bytes: number): BodyReservation | null {
    if (!this.take(bytes)) return null;
    return new BodyReservation(this, bytes);
  }

  /** @internal */
  take(bytes: number): boolean {
    if (bytes > 0 && this.used + bytes > this.maxBytes) return false;
    this.used += bytes;
    return true;
  }

  /** @internal */
  give(bytes: number): void {
    this.used -= bytes;
  }
}

export class BodyReservation {
  private released = false;

  constructor(
    private readonly budget: BodyBudget,
    private reserved: number,
  ) {}

  /** Makes room for `total` bytes of this body; false (nothing changed) when the budget has no room for them. */
  cover(total: number): boolean {
    if (this.released) return false;
    if (total <= this.reserved) return true;
    if (!this.budget.take(total - this.reserved)) return false;
    this.reserved = total;
    return true;
  }

  /** Gives the bytes back; called once the response is done (the body is no longer referenced). Idempotent. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.budget.give(this.reserved);
  }
}
