// The registration rules of the contract (section 3), checked in the browser before
// sending: the server stops at the first broken rule, a person wants to see them all
// at once. The server stays the judge (taken names, anything missed here).
import { ApiError } from "./api";
import { errorText } from "./errors";

const USERNAME = /^[\p{L}\p{N}_.-]{2,32}$/u;
const EMAIL = /^[^@\s\x00-\x1f\x7f]{1,64}@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$/;

/** Every broken rule, by field (empty when the form may be sent). */
export function signupErrors(username: string, email: string, password: string): Record<string, string> {
  const out: Record<string, string> = {};
  const say = (code: string, message: string, field: string) => {
    out[field] = errorText(new ApiError(400, code, message, { field }));
  };
  const name = username.trim();
  if (!USERNAME.test(name)) say("INVALID_INPUT", "Username must be 2-32 letters, digits, '_', '.' or '-'", "username");
  const mail = email.trim();
  if (mail.length > 254 || !EMAIL.test(mail)) say("INVALID_EMAIL", "Invalid email address", "email");
  if (password.length < 8 || password.length > 128 || password.toLowerCase() === name.toLowerCase()) {
    say("WEAK_PASSWORD", "Password must be 8-128 characters and differ from the username", "password");
  }
  return out;
}
