interface FieldProps {
  id: string;
  label: string;
  value: string;
  onInput: (v: string) => void;
  error?: string;
  type?: "text" | "email" | "password" | "number";
  autoComplete?: string;
  required?: boolean;
  maxLength?: number;
  min?: number;
  max?: number;
  autoFocus?: boolean;
}

/** A labelled input with its error next to it (aria-describedby, aria-invalid). */
export function Field(p: FieldProps) {
  const errId = `${p.id}-error`;
  return (
    <div class="field">
      <label for={p.id}>{p.label}</label>
      <input id={p.id} name={p.id} type={(p.type ?? "text") as "text"} value={p.value}
        onInput={(e) => p.onInput((e.currentTarget as HTMLInputElement).value)}
        aria-invalid={p.error ? "true" : undefined} aria-describedby={p.error ? errId : undefined}
        autoComplete={p.autoComplete} required={p.required} maxLength={p.maxLength}
        min={p.min} max={p.max} autoFocus={p.autoFocus} />
      {p.error && <p class="field-error" id={errId} role="alert">{p.error}</p>}
    </div>
  );
}
