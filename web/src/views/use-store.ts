// A view reads a store with this hook and re-renders when the store changes — also when it
// changed between the render and the subscription (effects run after the browser paints).
import { useEffect, useState } from "preact/hooks";
import type { Store } from "../state/store.ts";

export function useStore<T>(store: Store<T>): T {
  const value = store.get();
  const [, setSeen] = useState<{ value: T }>({ value });
  useEffect(() => {
    const check = () => setSeen((seen) => (seen.value === store.get() ? seen : { value: store.get() }));
    check();
    return store.subscribe(check);
  }, [store]);
  return value;
}
