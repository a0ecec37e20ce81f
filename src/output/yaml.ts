// YAML: a sequence, one item per record, streamed.

import { stringify } from 'yaml';
import type { Renderer } from './renderers.js';

export const renderYaml: Renderer = async (records, sink) => {
  let any = false;
  for await (const rec of records) {
    any = true;
    const doc = stringify([rec], { lineWidth: 0 });
    await sink.write(doc);
    if (sink.closed) return;
  }
  if (!any) await sink.write('[]\n');
};
