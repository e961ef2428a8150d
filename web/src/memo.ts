import { Component, h, type ComponentType } from "preact";

/** preact/compat's memo without pulling compat into the bundle. */
export function memo<P extends object>(C: ComponentType<P>): ComponentType<P> {
  class Memo extends Component<P> {
    shouldComponentUpdate(next: P): boolean {
      const a = this.props as Record<string, unknown>;
      const b = next as Record<string, unknown>;
      for (const k in a) if (k !== "children" && a[k] !== b[k]) return true;
      for (const k in b) if (!(k in a)) return true;
      return false;
    }
    render(p: P) {
      return h(C, p);
    }
  }
  return Memo as unknown as ComponentType<P>;
}
