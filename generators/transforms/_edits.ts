/**
 * Text edits planned against one parse of a file and applied together in a single pass, so every
 * position stays the one the parser gave. Edits must not overlap; insertions at the same position
 * keep the order they were planned in (an outer node plans before its inner ones).
 */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

export class TextEdits {
  private readonly edits: Array<TextEdit & { order: number }> = [];

  insert(at: number, text: string): void {
    this.replace(at, at, text);
  }

  remove(start: number, end: number): void {
    this.replace(start, end, '');
  }

  replace(start: number, end: number, text: string): void {
    this.edits.push({ start, end, text, order: this.edits.length });
  }

  apply(source: string): string {
    const sorted = [...this.edits].sort((a, b) => a.start - b.start || a.end - b.end || a.order - b.order);
    let out = '';
    let cursor = 0;
    for (const edit of sorted) {
      if (edit.start < cursor)
        throw new Error(`overlapping edits at ${edit.start}: ${JSON.stringify(source.slice(edit.start, edit.end))}`);
      out += source.slice(cursor, edit.start) + edit.text;
      cursor = edit.end;
    }
    return out + source.slice(cursor);
  }
}
