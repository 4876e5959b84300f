// jstat ships no type declarations; this declares the one function we use.
declare module 'jstat' {
  export const jStat: {
    studentt: { inv(p: number, dof: number): number };
  };
}
