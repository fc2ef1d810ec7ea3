// `./skein test [--db sqlite|postgres] [FILTER…]`: the runner lives with the tests.
export async function test(args: string[]): Promise<number> {
  const { runTests } = await import("../../../test/run.ts");
  return runTests(args);
}
