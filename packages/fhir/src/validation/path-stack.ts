/**
 * The FHIRPath location of the element being validated, kept as a stack of (name, index) pairs so that
 * walking allocates nothing; the string is built only when an issue is reported. Rendering follows
 * FHIRPath (R4 fhirpath.html#paths): `Bundle.entry[3].resource.name[0].given[1]`. Choice elements keep
 * their JSON name (`Observation.valueQuantity.value`) so the expression names the JSON property.
 */
export class PathStack {
  private readonly names: string[] = [];
  private readonly indexes: number[] = [];
  private size = 0;

  push(name: string): void {
    this.names[this.size] = name;
    this.indexes[this.size] = -1;
    this.size++;
  }

  /** Sets the array index of the innermost segment (-1 for none). */
  index(i: number): void {
    this.indexes[this.size - 1] = i;
  }

  pop(): void {
    this.size--;
  }

  get depth(): number {
    return this.size;
  }

  /** The path, optionally followed by extra segments (`child` may itself contain dots). */
  toString(child?: string): string {
    let out = '';
    for (let i = 0; i < this.size; i++) {
      if (i > 0) out += '.';
      out += this.names[i];
      if (this.indexes[i] >= 0) out += `[${this.indexes[i]}]`;
    }
    if (child !== undefined) out = out === '' ? child : `${out}.${child}`;
    return out;
  }
}
