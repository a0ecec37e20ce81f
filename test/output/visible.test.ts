import { describe, expect, it } from 'vitest';
import { visibleJson } from '../../src/output/visible.js';

describe('visibleJson', () => {
  it('escapes what JSON.stringify leaves raw, and reads back as the same value', () => {
    const value = { key: 'a\x7fb\x9b[31m\u202ec\ufeff\u200bd', plain: 'tab\tnewline\n' };
    const json = visibleJson(JSON.stringify(value));
    expect(json).toBe('{"key":"a\\u007fb\\u009b[31m\\u202ec\\ufeff\\u200bd","plain":"tab\\tnewline\\n"}');
    expect(json).not.toMatch(/[\x7f-\x9f\u202e\ufeff\u200b]/);
    expect(JSON.parse(json)).toEqual(value);
  });
});
