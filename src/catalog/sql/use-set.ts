import type { SettingUse } from '../types.js';

/** The uses of one setting, each once (compared by content), listed in a stable order. */
export class UseSet {
  private readonly byKey = new Map<string, SettingUse>();

  add(uses: Iterable<SettingUse>): this {
    for (const u of uses) {
      const key = JSON.stringify(u);
      if (!this.byKey.has(key)) this.byKey.set(key, u);
    }
    return this;
  }

  sorted(): SettingUse[] {
    return [...this.byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, u]) => u);
  }
}
