import '@testing-library/jest-dom';

// The card tests type and click through whole forms; on a loaded CI machine
// (every package's tests at once on two cores) one can take more than
// Jest's default 5 s without anything being wrong.
jest.setTimeout(20_000);
