// A component whose code is fetched the first time it renders (dynamic import()),
// so the first load does not carry dialogs and settings nobody has opened yet.
// Renders nothing until the chunk is there; then always renders at once.
import type { ComponentType, FunctionComponent } from "preact";
import { useEffect, useState } from "preact/hooks";

export function lazy<P extends object>(
  load: () => Promise<ComponentType<P>>,
): FunctionComponent<P> {
  let loaded: ComponentType<P> | undefined;
  let pending: Promise<ComponentType<P>> | undefined;
  const fetchOnce = () => (pending ??= load().then((c) => (loaded = c)));
  return function Lazy(props: P) {
    const [, setReady] = useState(false);
    useEffect(() => {
      if (loaded) return;
      let live = true;
      fetchOnce().then(() => { if (live) setReady(true); }, () => { pending = undefined; });
      return () => { live = false; };
    }, []);
    const C = loaded;
    return C ? <C {...props} /> : null;
  };
}
