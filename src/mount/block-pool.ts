// Reusable block buffers. A streaming read allocates one block (4 MiB) per GET; as fresh external
// memory each one counted towards V8's external-memory GC trigger, and the full GCs that followed
// stalled the event loop (and with it every FUSE round trip) by 20-35 ms. Blocks are therefore
// slabs from Buffer.allocUnsafeSlow, reference-counted, and returned to a small free list when the
// last holder lets go: in a steady stream a block evicted from L1 is the buffer the next GET fills.
//
// Holders: L1 (while cached), a fetch until its waiters have their own reference, a background L2
// write, a reader copying out of it after an await. Each `retain` is paired with one `release`.

export class PooledBlock {
  /** The block's bytes (a view of the slab, `length` long). */
  readonly data: Buffer;
  #refs = 1;
  readonly #pool: BlockPool;
  readonly #slab: Buffer;

  constructor(pool: BlockPool, slab: Buffer, length: number) {
    this.#pool = pool;
    this.#slab = slab;
    this.data = slab.subarray(0, length);
  }

  get length(): number {
    return this.data.length;
  }

  retain(): this {
    if (this.#refs <= 0) throw new Error('retain of a released block');
    this.#refs++;
    return this;
  }

  release(): void {
    if (this.#refs <= 0) throw new Error('release of a released block');
    if (--this.#refs === 0) this.#pool.give(this.#slab);
  }
}

export interface BlockPoolStats {
  /** Slabs allocated over the pool's life. */
  allocated: number;
  /** Acquisitions served by a recycled slab. */
  reused: number;
  free: number;
}

export class BlockPool {
  readonly slabSize: number;
  readonly #maxFree: number;
  readonly #free: Buffer[] = [];
  allocated = 0;
  reused = 0;

  constructor(opts: { slabSize: number; maxFree: number }) {
    if (!(opts.slabSize >= 1)) throw new RangeError(`Expected \`slabSize\` to be >= 1, got \`${opts.slabSize}\``);
    if (!(opts.maxFree >= 0)) throw new RangeError(`Expected \`maxFree\` to be >= 0, got \`${opts.maxFree}\``);
    this.slabSize = opts.slabSize;
    this.#maxFree = opts.maxFree;
  }

  /** A block of `length` bytes (uninitialised), held once by the caller. */
  acquire(length: number): PooledBlock {
    if (length > this.slabSize) {
      this.allocated++;
      return new PooledBlock(this, Buffer.allocUnsafeSlow(length), length);
    }
    const slab = this.#free.pop();
    if (slab) this.reused++;
    else this.allocated++;
    return new PooledBlock(this, slab ?? Buffer.allocUnsafeSlow(this.slabSize), length);
  }

  /** A slab whose last holder let go; kept for reuse while the free list has room. */
  give(slab: Buffer): void {
    if (slab.length === this.slabSize && this.#free.length < this.#maxFree) this.#free.push(slab);
  }

  stats(): BlockPoolStats {
    return { allocated: this.allocated, reused: this.reused, free: this.#free.length };
  }
}
