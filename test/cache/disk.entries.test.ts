import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DiskStore } from '../../src/cache/disk.js';
import { decodeEntry } from '../../src/cache/format.js';
import { tempDir } from '../engine/fixtures/config.js';

function store(opts: Partial<ConstructorParameters<typeof DiskStore>[0]> = {}) {
  let now = 1_700_000_000_000;
  const evicted: string[] = [];
  const s = new DiskStore({ dir: tempDir(), maxBytes: 1e9, now: () => now, onEvict: (k) => evicted.push(k), ...opts });
  s.init();
  return { s, evicted, advance: (ms: number) => (now += ms) };
}

/** The file holding `key`'s entry: the text form for small entries of raw pages, else the framed form. */
function entryFile(s: DiskStore, key: string): string {
  const text = s.textFileOf(key)!;
  return fs.existsSync(text) ? text : s.fileOf(key)!;
}

function write(s: DiskStore, key: string, chunks: string[], createdAt = 1_700_000_000_000) {
  const w = s.writer(key, createdAt)!;
  let n = 0;
  for (const c of chunks) {
    w.append(c);
    n += (JSON.parse(c) as unknown[]).length;
  }
  return w.commit(n);
}

describe('disk tier entries', () => {
  it('round-trips a small entry: header, record count and chunks', () => {
    const { s } = store();
    write(s, 'aws:p:r:ec2:X:1', ['[{"a":1}]', '[{"a":2},{"a":3}]']);
    const e = s.read('aws:p:r:ec2:X:1')!;
    expect(e).toMatchObject({ key: 'aws:p:r:ec2:X:1', createdAt: 1_700_000_000_000, records: 3 });
    expect([...e.chunks()]).toEqual(['[{"a":1}]', '[{"a":2},{"a":3}]']);
  });

  it('streams an entry larger than 1 MiB frame by frame', () => {
    const { s } = store();
    const chunks = Array.from({ length: 6 }, (_, i) => JSON.stringify([{ i, blob: randomBytes(200_000).toString('base64') }]));
    const size = write(s, 'big', chunks);
    expect(size).toBeGreaterThan(1 << 20);
    const e = s.read('big')!;
    expect(e.whole).toBeUndefined();
    expect([...e.chunks()]).toEqual(chunks);
  });

  it('an entry cut short (kill -9 mid-write, full disk) is a miss, never a crash', () => {
    const { s } = store();
    write(s, 'k', ['[{"a":1}]']);
    write(s, 'framed', [JSON.stringify([randomBytes(3_000).toString('hex')])]);
    for (const key of ['k', 'framed']) {
      const file = entryFile(s, key);
      expect(file.endsWith(key === 'k' ? '.t' : '.e')).toBe(true);
      const full = fs.readFileSync(file);
      for (const cut of [1, 10, 20, full.length - 5, full.length - 1]) {
        fs.writeFileSync(file, full.subarray(0, cut));
        expect(s.read(key)).toBeUndefined();
      }
    }
  });

  it('a flipped byte anywhere (small or large entry) is a miss', () => {
    const { s } = store();
    const big = Array.from({ length: 6 }, () => JSON.stringify([randomBytes(200_000).toString('base64')]));
    write(s, 'small', ['[{"a":1}]']);
    write(s, 'large', big);
    // the large one (streamed, > 1 MiB) also near its start, in the first 64 KiB read before the rest
    write(s, 'large-start', big);
    for (const [key, at] of [['small', 0.5], ['large', 0.5], ['large-start', 0.0005]] as const) {
      const file = entryFile(s, key);
      const buf = fs.readFileSync(file);
      expect(buf.length > 1 << 20).toBe(key !== 'small');
      buf[Math.floor(buf.length * at)] ^= 0x01;
      fs.writeFileSync(file, buf);
      expect(s.read(key)).toBeUndefined();
    }
    fs.writeFileSync(s.fileOf('garbage')!, 'not an entry at all');
    expect(s.read('garbage')).toBeUndefined();
    fs.writeFileSync(s.textFileOf('garbage')!, 'STRATA-T3 00000000\nnot an entry at all');
    expect(s.read('garbage')).toBeUndefined();
  });

  it('a write that fails (ENOSPC) leaves no temp file and no entry, in either form', () => {
    const enospc = Object.assign(new Error('no space'), { code: 'ENOSPC' });
    const { s } = store({ fs: { ...fs, writeSync: () => { throw enospc; } } as unknown as typeof fs });
    const small = s.writer('small', 1)!;
    small.append('[1]'); // held back for the text form: nothing is written before commit
    expect(() => small.commit(1)).toThrow('no space');
    const large = s.writer('large', 1)!;
    expect(() => large.append(JSON.stringify(['x'.repeat(5_000)]))).toThrow('no space');
    expect(fs.readdirSync(s.dir).filter((n) => n !== '.swept')).toEqual([]);
    expect(s.read('small')).toBeUndefined();
    expect(s.read('large')).toBeUndefined();
  });

  it('does not verify an entry its caller rejects by age (a large one is not even read), and still serves one it accepts', () => {
    let reads = 0;
    const counting = {
      ...fs,
      readSync: ((...args: Parameters<typeof fs.readSync>) => (reads++, fs.readSync(...args))) as typeof fs.readSync,
      readFileSync: ((...args: Parameters<typeof fs.readFileSync>) => (reads++, fs.readFileSync(...args))) as typeof fs.readFileSync,
    };
    const { s } = store({ fs: counting as typeof fs });
    const big = JSON.stringify([randomBytes(120_000).toString('base64')]);
    write(s, 'old-large', [big], 1_000_000);
    expect(fs.statSync(s.fileOf('old-large')!).size).toBeGreaterThan(64 * 1024);
    expect(s.read('old-large', (createdAt) => createdAt > 2_000_000)).toBeUndefined();
    expect(reads).toBe(1); // no text form (its open fails); the first 64 KiB of the framed one show it is large, then its mtime rejects it
    write(s, 'old', ['[{"i":1}]'], 1_000_000);
    reads = 0;
    expect(s.read('old', (createdAt) => createdAt > 2_000_000)).toBeUndefined();
    expect(reads).toBe(1); // a small entry is text, read in one read, and rejected on its header
    const e = s.read('old', (createdAt) => createdAt === 1_000_000)!;
    expect([...e.chunks()]).toEqual(['[{"i":1}]']);
    expect([...s.read('old-large', (createdAt) => createdAt === 1_000_000)!.chunks()]).toEqual([big]);
  });

  it('a hit bumps the atime that orders eviction once a minute per key and process, keeping the mtime', () => {
    const touched: string[] = [];
    const counting = {
      ...fs,
      futimesSync: ((fd: number, atime: number, mtime: number) => (touched.push(`${atime}/${mtime}`), fs.futimesSync(fd, atime, mtime))) as typeof fs.futimesSync,
      utimesSync: ((file: string, atime: number, mtime: number) => (touched.push(`${atime}/${mtime}`), fs.utimesSync(file, atime, mtime))) as typeof fs.utimesSync,
    } as typeof fs;
    const { s, advance } = store({ fs: counting });
    write(s, 'k', ['[1]'], 1_600_000_000_000);
    touched.length = 0;
    const file = entryFile(s, 'k');
    expect(s.read('k')).toBeDefined();
    expect(fs.statSync(file).atimeMs).toBe(1_700_000_000_000);
    expect(fs.statSync(file).mtimeMs).toBe(1_600_000_000_000);
    expect(s.read('k')).toBeDefined();
    expect(touched).toEqual(['1700000000/1600000000']);
    advance(30_000);
    expect(s.read('k')).toBeDefined();
    expect(touched).toHaveLength(1);
    advance(31_000);
    expect(s.read('k')).toBeDefined();
    expect(touched).toEqual(['1700000000/1600000000', '1700000061/1600000000']);
    // another process (store) touches on its first hit
    const other = new DiskStore({ dir: path.dirname(s.dir), maxBytes: 1e9, now: () => 1_700_000_062_000, fs: counting });
    expect(other.read('k')).toBeDefined();
    expect(touched).toHaveLength(3);
    expect(fs.statSync(file).atimeMs).toBe(1_700_000_062_000);
    // the framed form is touched the same way (through its open file)
    write(s, 'f', [JSON.stringify([{ blob: 'y'.repeat(5_000) }])], 1_600_000_000_000);
    expect(entryFile(s, 'f').endsWith('.e')).toBe(true);
    touched.length = 0;
    expect(s.read('f')).toBeDefined();
    expect(fs.statSync(entryFile(s, 'f')).atimeMs).toBe(1_700_000_061_000);
    expect(s.read('f')).toBeDefined();
    expect(touched).toEqual(['1700000061/1600000000']);
  });

  it('stores pages under 4 KB as they are and larger ones compressed, and reads both back', () => {
    const { s } = store();
    const small = JSON.stringify([{ id: 'i-small', state: 'running' }]);
    const large = JSON.stringify(Array.from({ length: 400 }, (_, i) => ({ id: `i-${i}`, state: 'running', type: 't3.micro' })));
    write(s, 'mixed', [small, large, small]);
    const file = fs.readFileSync(s.fileOf('mixed')!);
    expect(file.includes(small)).toBe(true);
    expect(file.includes(large)).toBe(false);
    expect(file.length).toBeLessThan(large.length / 5);
    expect([...s.read('mixed')!.chunks()]).toEqual([small, large, small]);
  });

  it('evicts the least recently used entries when over the byte bound, down to 90%', () => {
    let now = 1_700_000_000_000;
    const evicted: string[] = [];
    const maxBytes = 9_300;
    const s = new DiskStore({ dir: tempDir(), maxBytes, now: () => now, onEvict: (k) => evicted.push(k) });
    s.init();
    // Hex of a hash chain, the same on every run: a 2.6 KB page, stored as it is (under 4 KB), so
    // ~2.7 KB per entry: three fit, a fourth is over the bound.
    let seed = 'seed';
    const chunk = () => JSON.stringify([Array.from({ length: 40 }, () => (seed = createHash('sha256').update(seed).digest('hex'))).join('')]);
    for (const k of ['a', 'b', 'c']) {
      write(s, k, [chunk()], now);
      now += 120_000;
    }
    expect(s.read('a')).toBeDefined(); // a is now the most recently used of the three
    now += 120_000;
    write(s, 'd', [chunk()], now);
    expect(evicted).toEqual(['b']);
    expect([...s.list()].map((e) => e.key).sort()).toEqual(['a', 'c', 'd']);
    expect([...s.list()].reduce((n, e) => n + e.bytes, 0)).toBeLessThanOrEqual(0.9 * maxBytes);
  });

  it('a sweep removes dead entries and temp files orphaned by a crashed writer', () => {
    const { s, evicted, advance } = store({ isDead: (key) => key.startsWith('dead') });
    write(s, 'dead-1', ['[1]']);
    write(s, 'alive', ['[1]']);
    const orphan = path.join(s.dir, '.tmp-99999-abc');
    fs.writeFileSync(orphan, 'partial');
    fs.utimesSync(orphan, 1_700_000_000, 1_700_000_000);
    advance(11 * 60_000);
    s.sweep();
    expect(evicted).toEqual(['dead-1']);
    expect(fs.existsSync(orphan)).toBe(false);
    expect(s.read('alive')).toBeDefined();
  });

  it('is a keyv-style store: get/set/delete/clear with entry bytes', async () => {
    const a = store().s;
    const b = store().s;
    write(a, 'k', ['[{"x":1}]']);
    const raw = (await a.get('k'))!;
    expect(await b.set('k', raw)).toBe(true);
    expect(await b.set('other', raw)).toBe(false); // bytes of another key are refused
    expect([...b.read('k')!.chunks()]).toEqual(['[{"x":1}]']);
    expect(await b.delete('k')).toBe(true);
    expect(await b.get('k')).toBeUndefined();
    write(b, 'j', ['[1]']);
    await b.clear();
    expect([...b.list()]).toEqual([]);
  });

  it('keeps a small entry of raw pages as text (non-ASCII included) and any other framed; a commit of one form removes the other', async () => {
    const { s } = store();
    const pages = ['[{"name":"ünïcode ✓ 🚀"}]', '[{"n":2},{"n":3}]'];
    write(s, 'k', pages);
    expect(fs.existsSync(s.textFileOf('k')!)).toBe(true);
    expect(fs.existsSync(s.fileOf('k')!)).toBe(false);
    expect(s.read('k')).toMatchObject({ key: 'k', records: 3, bytes: fs.statSync(s.textFileOf('k')!).size });
    expect([...s.read('k')!.chunks()]).toEqual(pages);
    const large = JSON.stringify([{ blob: 'y'.repeat(5_000) }]);
    write(s, 'k', [large]);
    expect(fs.existsSync(s.textFileOf('k')!)).toBe(false);
    expect([...s.read('k')!.chunks()]).toEqual([large]);
    write(s, 'k', pages);
    expect(fs.existsSync(s.fileOf('k')!)).toBe(false);
    // many small pages past 64 Ki characters in all go framed, as they came
    const many = Array.from({ length: 40 }, (_, i) => JSON.stringify([{ i, pad: 'z'.repeat(2_000) }]));
    write(s, 'many', many);
    expect(fs.existsSync(s.textFileOf('many')!)).toBe(false);
    expect([...s.read('many')!.chunks()]).toEqual(many);
    // the framed bytes (what Redis holds) of a text entry, stored elsewhere, come back as text
    const other = store().s;
    expect(await other.set('k', (await s.get('k'))!)).toBe(true);
    expect(fs.readFileSync(other.textFileOf('k')!, 'utf8')).toBe(fs.readFileSync(s.textFileOf('k')!, 'utf8'));
  });

  it('a touch lands on the file that was read, not on a newer entry renamed into its place meanwhile', () => {
    let other: DiskStore | undefined;
    let once = true;
    const racing = {
      ...fs,
      readFileSync: ((...args: Parameters<typeof fs.readFileSync>) => {
        const out = fs.readFileSync(...args);
        if (once && typeof args[0] === 'number') {
          once = false;
          write(other!, 'k', ['[{"v":2}]'], 1_650_000_000_000); // another process commits v2 mid-read
        }
        return out;
      }) as typeof fs.readFileSync,
    } as typeof fs;
    const { s } = store({ fs: racing });
    other = new DiskStore({ dir: path.dirname(s.dir), maxBytes: 1e9, now: () => 1_700_000_000_000 });
    write(s, 'k', ['[{"v":1}]'], 1_600_000_000_000);
    expect([...s.read('k')!.chunks()]).toEqual(['[{"v":1}]']);
    expect(once).toBe(false);
    expect(fs.statSync(entryFile(s, 'k')).mtimeMs).toBe(1_650_000_000_000); // v2 keeps its createdAt
    expect([...s.read('k')!.chunks()]).toEqual(['[{"v":2}]']);
  });

  it('the record count is under the checksum; a writer that keeps no bytes reports none; stray names are not entries', () => {
    const { s } = store();
    write(s, 'framed', [JSON.stringify([{ blob: 'y'.repeat(5_000) }])]);
    const file = s.fileOf('framed')!;
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 9] ^= 0x40; // the low byte of the count (u32 count | u32 crc | "END1")
    fs.writeFileSync(file, bytes);
    expect(s.read('framed')).toBeUndefined();
    const w = s.writer('small', 1)!;
    w.append('[1]');
    w.commit(1);
    expect(w.written).toBeUndefined();
    const kept = s.writer('kept', 1, 1 << 20)!;
    kept.append('[1]');
    kept.commit(1);
    expect(decodeEntry(kept.written!)).toMatchObject({ key: 'kept', records: 1 });
    fs.writeFileSync(path.join(s.dir, '100%.t'), 'stray');
    expect([...s.list()].map((e) => e.key).sort()).toEqual(['framed', 'kept', 'small']); // listing reads names, not contents
    expect(s.sweep().entries).toBe(3);
  });

  it('keeps pages of under 64 Ki characters in all as text, and 64 Ki or more framed', () => {
    const { s } = store();
    // pages of 4,000 characters each; 16 of them and one of 1,535 make 65,535
    const page = (n: number) => JSON.stringify(['x'.repeat(n - 4)]);
    const under = [...Array.from({ length: 16 }, () => page(4_000)), page(1_535)];
    expect(under.join('').length).toBe(64 * 1024 - 1);
    write(s, 'under', under);
    expect(entryFile(s, 'under').endsWith('.t')).toBe(true);
    expect([...s.read('under')!.chunks()]).toEqual(under);
    const at = [...Array.from({ length: 16 }, () => page(4_000)), page(1_536)];
    write(s, 'at', at);
    expect(entryFile(s, 'at').endsWith('.e')).toBe(true);
    expect([...s.read('at')!.chunks()]).toEqual(at);
    write(s, 'none', []);
    expect(s.read('none')).toMatchObject({ records: 0 });
    expect([...s.read('none')!.chunks()]).toEqual([]);
  });

  it('with both forms of a key on disk (a crash between rename and unlink): reads the text, lists the key once, deletes both', async () => {
    const { s } = store();
    write(s, 'both', [JSON.stringify([{ blob: 'y'.repeat(5_000) }])]);
    const framed = fs.readFileSync(s.fileOf('both')!);
    write(s, 'both', ['[{"text":true}]']);
    fs.writeFileSync(s.fileOf('both')!, framed);
    expect([...s.read('both')!.chunks()]).toEqual(['[{"text":true}]']);
    expect([...s.list()].map((e) => e.key)).toEqual(['both']);
    expect(s.deleteWhere((k) => k === 'both')).toBe(1);
    expect(fs.readdirSync(s.dir).filter((n) => !n.startsWith('.'))).toEqual([]);
    write(s, 'both', ['[1]']);
    fs.writeFileSync(s.fileOf('both')!, framed);
    expect(await s.delete('both')).toBe(true);
    expect(s.read('both')).toBeUndefined();
  });
});
