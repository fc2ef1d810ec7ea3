// What Skein takes as a person's e-mail address (sign-up, `./skein accounts create`, a change of
// address, a mail's recipient): something@domain, where the domain may be a single label such as
// "localhost" — what local setups and many tools use — or a dotted name. Up to 254 characters,
// 64 before the @ (RFC 5321's limits); no spaces, one @.
const EMAIL_ADDRESS = /^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)*$/;

export function isEmailAddress(address: string): boolean {
  return address.length <= 254 && EMAIL_ADDRESS.test(address);
}
