// Dotted field paths (`State.Name`, `Tags.env`, `BlockDeviceMappings.0.DeviceName`).

export function compilePath(path: string): (rec: unknown) => unknown {
  const parts = path.split('.');
  if (parts.length === 1) return (rec) => (rec as Record<string, unknown> | null)?.[path];
  return (rec) => {
    let cur: unknown = rec;
    for (const p of parts) {
      if (cur === null || typeof cur !== 'object') return undefined;
      cur = (cur as Record<string, unknown>)[p];
    }
    return cur;
  };
}
