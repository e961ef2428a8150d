import { useState } from "preact/hooks";
import { createPoll } from "../../actions/polls";
import { t } from "../../i18n";
import { errorsFrom } from "../Auth";
import { Field } from "../Field";
import { Actions, close, Modal } from "./Modal";

export default function PollDialog({ channelId }: { channelId: number }) {
  const [question, setQuestion] = useState("");
  const [options, setOptions] = useState(["", ""]);
  const [multi, setMulti] = useState(false);
  const [hours, setHours] = useState("24");
  const [error, setError] = useState<string | undefined>();
  return (
    <Modal title={t("createPoll")} onSubmit={async () => {
      const opts = options.map((o) => o.trim()).filter(Boolean);
      try {
        await createPoll(channelId, question.trim(), opts, multi, Number(hours));
        close();
      } catch (e) { setError(Object.values(errorsFrom(e, []))[0]); }
    }}>
      <Field id="question" label={t("question")} value={question} onInput={setQuestion} maxLength={300} required />
      {options.map((o, i) => (
        <Field key={i} id={`option-${i + 1}`} label={t("option", { n: i + 1 })} value={o} maxLength={100}
          onInput={(v) => setOptions(options.map((x, j) => (j === i ? v : x)))} />
      ))}
      {options.length < 10 && (
        <button type="button" class="link" onClick={() => setOptions([...options, ""])}>+ {t("addOption")}</button>
      )}
      <div class="field check">
        <input id="multi" type="checkbox" checked={multi} onChange={(e) => setMulti((e.currentTarget as HTMLInputElement).checked)} />
        <label for="multi">{t("allowMultiple")}</label>
      </div>
      <Field id="hours" label={t("durationHours")} type="number" min={1} max={168} value={hours} onInput={setHours} />
      {error && <p class="form-error" role="alert">{error}</p>}
      <Actions submit={t("create")} />
    </Modal>
  );
}
