import { render } from "preact";
import { boot } from "./actions";
import { App } from "./components/App";
import { getLang, setLang } from "./i18n";
import { startRouter } from "./nav";
import "./styles.css";

setLang(getLang());
startRouter();
render(<App />, document.getElementById("app")!);
void boot();
