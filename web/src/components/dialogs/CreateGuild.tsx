import { useState } from "preact/hooks";
import { createGuild } from "../../actions/guilds";
import { t } from "../../i18n";
import { errorsFrom } from "../Auth";
import { Field } from "../Field";
import { Actions, close, Modal } from "./Modal";

export default function CreateGuild() {
  const [name, setName] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  return (
    <Modal title={t("createGuild")} onSubmit={async () => {
      try { await createGuild(name.trim()); close(); } catch (e) { setErrors(errorsFrom(e, ["name"])); }
    }}>
      <Field id="name" label={t("guildName")} value={name} onInput={setName} error={errors.name} maxLength={100} required />
      {errors.form && <p class="form-error" role="alert">{errors.form}</p>}
      <Actions submit={t("create")} />
    </Modal>
  );
}
