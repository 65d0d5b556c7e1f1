/** The last `capacity` lines of a stream, for error reports ("what did Python say before it died?"). */
export class LineRing {
  private readonly lines: string[] = [];

  constructor(private readonly capacity = 50) {}

  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
  }

  /** A copy, oldest first. */
  snapshot(): string[] {
    return [...this.lines];
  }
}
