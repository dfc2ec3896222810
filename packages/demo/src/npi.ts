/**
 * National Provider Identifiers: ten digits whose last digit is a Luhn check digit computed over the
 * first nine prefixed with 80840 (the NPI's ISO issuer prefix).
 */
export function luhnCheckDigit(payload: string): number {
  let sum = 0;
  for (let i = 0; i < payload.length; i++) {
    let digit = Number(payload[payload.length - 1 - i]);
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

/** The full NPI for a nine-digit base. */
export function npi(base: string): string {
  if (!/^[12]\d{8}$/.test(base)) throw new Error(`not an NPI base: ${base}`);
  return `${base}${luhnCheckDigit(`80840${base}`)}`;
}

export function isValidNpi(value: string): boolean {
  return /^[12]\d{9}$/.test(value) && luhnCheckDigit(`80840${value.slice(0, 9)}`) === Number(value[9]);
}
