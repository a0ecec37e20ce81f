// A one-pass reader for ListObjectsV2 response bodies, the hot path of `s3 ls --recursive` and of
// the mount's listings. The SDK's XML parser builds every text node a character at a time and
// then walks a schema over the tree: about half of strata's CPU on a 20k-key listing. This reader
// knows the one document shape (S3 API reference, ListObjectsV2 response elements), slices each
// value out with indexOf, and gives up, returning undefined, at anything it does not know: an
// unknown element, an attribute, a comment, a CDATA section, a value that does not convert. The
// caller then hands the same bytes to the SDK's parser, so an odd response costs time, never
// correctness.
//
// Text is treated as the SDK's parser treats it: CR LF and lone CR read as LF, the five XML
// entities and character references decoded, whitespace-only text containing a line break read as
// "" (its "pretty-printed" rule), values never trimmed otherwise. Where the two parsers would
// differ (whitespace without a line break between elements, character references above U+FFFF,
// dates not in S3's own form, a repeated element, attributes on the root other than xmlns), the
// reader gives up.

/** The SDK's shape of one listed object (the fields the S3 API defines for Contents). */
export interface ListedObject {
  Key?: string;
  LastModified?: Date;
  ETag?: string;
  Size?: number;
  StorageClass?: string;
  ChecksumAlgorithm?: string[];
  ChecksumType?: string;
  Owner?: { ID?: string; DisplayName?: string };
  RestoreStatus?: { IsRestoreInProgress?: boolean; RestoreExpiryDate?: Date };
}

/** The body fields of ListObjectsV2Output, as the SDK types them. */
export interface ListPage {
  Name?: string;
  Prefix?: string;
  Delimiter?: string;
  MaxKeys?: number;
  KeyCount?: number;
  IsTruncated?: boolean;
  ContinuationToken?: string;
  NextContinuationToken?: string;
  StartAfter?: string;
  EncodingType?: string;
  Contents?: ListedObject[];
  CommonPrefixes?: Array<{ Prefix?: string }>;
}

type Convert = (text: string) => unknown;

const text: Convert = (s) => s;
const int: Convert = (s) => (/^-?\d{1,15}$/.test(s) ? Number(s) : undefined);
const bool: Convert = (s) => (s === 'true' ? true : s === 'false' ? false : undefined);
/**
 * Only the form S3 sends, and only when it reads back unchanged: V8's Date parser and the SDK's
 * differ elsewhere (hour 24, rounding of a fourth fraction digit, impossible days), so any other
 * form is left to the SDK.
 */
const S3_DATE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const date: Convert = (s) => {
  if (!S3_DATE.test(s)) return undefined;
  const d = new Date(s);
  return !Number.isNaN(d.getTime()) && d.toISOString() === s ? d : undefined;
};

const ROOT = /^<ListBucketResult(\s+xmlns="[^"<>]*")?\s*>$/;

const PAGE_FIELDS: Record<string, Convert> = {
  Name: text, Prefix: text, Delimiter: text, MaxKeys: int, KeyCount: int, IsTruncated: bool,
  ContinuationToken: text, NextContinuationToken: text, StartAfter: text, EncodingType: text,
};
const OBJECT_FIELDS: Record<string, Convert> = { Key: text, LastModified: date, ETag: text, Size: int, StorageClass: text, ChecksumType: text };
const OWNER_FIELDS: Record<string, Convert> = { ID: text, DisplayName: text };
const RESTORE_FIELDS: Record<string, Convert> = { IsRestoreInProgress: bool, RestoreExpiryDate: date };
const PREFIX_FIELDS: Record<string, Convert> = { Prefix: text };

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const ENTITY = /&(?:#x([0-9a-fA-F]{1,6})|#(\d{1,7})|([a-zA-Z][a-zA-Z0-9]{0,30}));/g;

/** Signals a shape this reader does not handle; caught once, at the top. */
class Unknown extends Error {}
const UNKNOWN = new Unknown();

export function parseListObjectsV2(body: string): ListPage | undefined {
  try {
    return new Reader(body.includes('\r') ? body.replace(/\r\n?/g, '\n') : body).page();
  } catch (e) {
    if (e === UNKNOWN) return undefined;
    throw e;
  }
}

class Reader {
  #x: string;
  #i = 0;

  constructor(x: string) {
    this.#x = x;
  }

  page(): ListPage {
    this.#space();
    if (this.#x.startsWith('<?xml', this.#i)) {
      const end = this.#x.indexOf('?>', this.#i);
      if (end < 0) throw UNKNOWN;
      this.#i = end + 2;
      this.#space();
    }
    // The root may carry the xmlns attribute (the SDK would merge any other into the output);
    // nothing else in the document may have attributes.
    const close = this.#x.indexOf('>', this.#i);
    if (close < 0 || !ROOT.test(this.#x.slice(this.#i, close + 1))) throw UNKNOWN;
    const page: ListPage = {};
    this.#i = close + 1;
    for (let name = this.#open('ListBucketResult'); name !== undefined; name = this.#open('ListBucketResult')) {
      if (name === 'Contents') (page.Contents ??= []).push(this.#object());
      else if (name === 'CommonPrefixes') (page.CommonPrefixes ??= []).push(this.#struct('CommonPrefixes', PREFIX_FIELDS) as { Prefix?: string });
      else this.#field(page as Record<string, unknown>, name, PAGE_FIELDS);
    }
    this.#space();
    if (this.#i !== this.#x.length) throw UNKNOWN;
    return page;
  }

  #object(): ListedObject {
    const o: ListedObject = {};
    for (let name = this.#open('Contents'); name !== undefined; name = this.#open('Contents')) {
      if (name === 'ChecksumAlgorithm') (o.ChecksumAlgorithm ??= []).push(this.#leaf(name));
      else if (name === 'Owner' && !o.Owner) o.Owner = this.#struct(name, OWNER_FIELDS);
      else if (name === 'RestoreStatus' && !o.RestoreStatus) o.RestoreStatus = this.#struct(name, RESTORE_FIELDS);
      else this.#field(o as Record<string, unknown>, name, OBJECT_FIELDS);
    }
    return o;
  }

  #struct(parent: string, fields: Record<string, Convert>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let name = this.#open(parent); name !== undefined; name = this.#open(parent)) this.#field(out, name, fields);
    return out;
  }

  #field(into: Record<string, unknown>, name: string, fields: Record<string, Convert>): void {
    const convert = Object.hasOwn(fields, name) ? fields[name] : undefined;
    if (!convert || Object.hasOwn(into, name)) throw UNKNOWN;
    const value = convert(this.#leaf(name));
    if (value === undefined) throw UNKNOWN;
    into[name] = value;
  }

  /**
   * The next child element's name, with the cursor after its start tag; undefined (cursor after
   * the end tag) when `parent` closes instead.
   */
  #open(parent: string): string | undefined {
    this.#gap();
    const x = this.#x;
    if (x.charCodeAt(this.#i) !== 0x3c) throw UNKNOWN;
    if (x.charCodeAt(this.#i + 1) === 0x2f) {
      const end = this.#i + 2 + parent.length;
      if (!x.startsWith(parent, this.#i + 2) || x.charCodeAt(end) !== 0x3e) throw UNKNOWN;
      this.#i = end + 1;
      return undefined;
    }
    const gt = x.indexOf('>', this.#i);
    if (gt < 0) throw UNKNOWN;
    // Not checked here: a name with attributes, a '/', '!--' or '![CDATA[' in it is no field's name,
    // so the caller's lookup refuses it.
    const name = x.slice(this.#i + 1, gt);
    this.#i = gt + 1;
    return name;
  }

  /** The text of a leaf element whose start tag was just read, with the cursor after its end tag. */
  #leaf(name: string): string {
    const x = this.#x;
    const lt = x.indexOf('<', this.#i);
    if (lt < 0 || x.charCodeAt(lt + 1) !== 0x2f || !x.startsWith(name, lt + 2) || x.charCodeAt(lt + 2 + name.length) !== 0x3e) throw UNKNOWN;
    const raw = x.slice(this.#i, lt);
    this.#i = lt + 3 + name.length;
    let value = raw.includes('&') ? raw.replace(ENTITY, entity) : raw;
    if (value === raw && value.length >= SLICE_MIN) value = detach(value); // nothing decoded: still a slice
    return value.includes('\n') && value.trim() === '' ? '' : value;
  }

  /** Whitespace between elements: the SDK's parser ignores it only when it holds a line break. */
  #gap(): void {
    const start = this.#i;
    this.#space();
    if (this.#i > start && !this.#x.slice(start, this.#i).includes('\n')) throw UNKNOWN;
  }

  #space(): void {
    const x = this.#x;
    for (let c = x.charCodeAt(this.#i); c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d; c = x.charCodeAt(++this.#i));
  }
}

/**
 * V8 makes a slice of 13 characters or more a view into the whole document, so one kept Key (the
 * mount's directory cache) or token (paginate's repeat check) would keep a 200 KB body alive: the
 * first cut of this reader held 20 MB of old pages at 100k keys. Slicing a concatenation copies
 * the value into a string of its own.
 */
const SLICE_MIN = 13;
function detach(s: string): string {
  return (' ' + s).slice(1);
}

function entity(_: string, hex: string | undefined, dec: string | undefined, named: string | undefined): string {
  const code = hex ? parseInt(hex, 16) : dec ? parseInt(dec, 10) : -1;
  if (code > 0xffff) throw UNKNOWN; // the SDK's parser truncates these to 16 bits; leave them to it
  if (code >= 0) return String.fromCharCode(code);
  const known = ENTITIES[named!];
  if (known === undefined) throw UNKNOWN;
  return known;
}
