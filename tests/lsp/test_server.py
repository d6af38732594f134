"""`supc server` under pytest-lsp: every message is validated by lsprotocol,
and pytest-lsp checks replies against the capabilities of real clients
(VS Code, Neovim, Emacs). SUPC_BIN names the binary under test."""

import os
import pathlib

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

SUPC = os.environ["SUPC_BIN"]
WORKSPACE = pathlib.Path(__file__).parent / "workspace"
MAIN = WORKSPACE / "supervisord.conf"
MAIN_URI = MAIN.resolve().as_uri()
WORKER_URI = (WORKSPACE / "conf.d" / "worker.conf").resolve().as_uri()


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[SUPC, "server"]),
    params=["visual-studio-code", "neovim", "emacs"],
)
async def client(request, lsp_client: LanguageClient):
    # Clients that declare refreshSupport are asked to re-request inlay
    # hints after each check; this one has nothing to redraw.
    @lsp_client.feature(types.WORKSPACE_INLAY_HINT_REFRESH)
    def refresh(params):
        return None

    params = types.InitializeParams(
        capabilities=client_capabilities(request.param),
        root_uri=WORKSPACE.resolve().as_uri(),
        workspace_folders=[
            types.WorkspaceFolder(uri=WORKSPACE.resolve().as_uri(), name="ws")
        ],
        initialization_options={"portable": True, "env": {"HOME": "/home/editor"}, "debounceMs": 10},
    )
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


def open_main(client: LanguageClient) -> str:
    text = MAIN.read_text()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=MAIN_URI, language_id="supervisord", version=1, text=text
            )
        )
    )
    return text


def position(text: str, needle: str, delta: int = 0) -> types.Position:
    at = text.index(needle) + delta
    line = text.count("\n", 0, at)
    col = len(text[text.rfind("\n", 0, at) + 1 : at].encode("utf-16-le")) // 2
    return types.Position(line=line, character=col)


async def diagnostics(client: LanguageClient, uri: str):
    while uri not in client.diagnostics:
        await client.wait_for_notification("textDocument/publishDiagnostics")
    return client.diagnostics[uri]


async def test_diagnostics_on_open(client: LanguageClient):
    text = open_main(client)
    found = await diagnostics(client, MAIN_URI)
    bad = [d for d in found if d.code == "SUP020"]
    assert len(bad) == 1
    assert bad[0].severity == types.DiagnosticSeverity.Error
    assert bad[0].range.start == position(text, "soon")


async def test_hover_on_option_and_value(client: LanguageClient):
    text = open_main(client)
    key = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=MAIN_URI),
            position=position(text, "numprocs", 1),
        )
    )
    assert "**numprocs**" in key.contents.value
    value = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=MAIN_URI),
            position=position(text, "1MB", 1),
        )
    )
    assert "1048576 bytes" in value.contents.value


async def test_completion_symbols_inlay_hints_and_navigation(client: LanguageClient):
    text = open_main(client)
    doc = types.TextDocumentIdentifier(uri=MAIN_URI)
    items = await client.text_document_completion_async(
        types.CompletionParams(text_document=doc, position=position(text, "TERM"))
    )
    items = items if isinstance(items, list) else items.items
    labels = [i.label for i in items]
    assert "KILL" in labels
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=doc)
    )
    assert [s.name for s in symbols] == [
        "supervisord",
        "program:web",
        "group:site",
        "include",
        "program:api",
    ]
    hints = await client.text_document_inlay_hint_async(
        types.InlayHintParams(
            text_document=doc,
            range=types.Range(
                start=types.Position(line=0, character=0),
                end=types.Position(line=30, character=0),
            ),
        )
    )
    assert any("site:web_02" in h.label for h in hints)
    target = await client.text_document_definition_async(
        types.DefinitionParams(text_document=doc, position=position(text, "worker", 1))
    )
    assert [t.uri for t in target] == [WORKER_URI]


async def test_code_actions_disable_a_rule_for_a_line(client: LanguageClient):
    text = open_main(client)
    found = await diagnostics(client, MAIN_URI)
    typo = [d for d in found if d.code == "SUP102"]
    assert typo, found
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=MAIN_URI),
            range=typo[0].range,
            context=types.CodeActionContext(diagnostics=typo),
        )
    )
    titles = [a.title for a in actions]
    assert "Disable unknown-key for this line" in titles


async def test_unknown_method_is_an_error(client: LanguageClient):
    open_main(client)
    with pytest.raises(Exception, match="unknown method"):
        await client.protocol.send_request_async("supc/nothing", {})


SPEC = WORKSPACE / "supc.yaml"
SPEC_URI = SPEC.resolve().as_uri()


async def test_a_spec_gets_symbols_inlay_hints_definition_and_actions(
    client: LanguageClient,
):
    text = SPEC.read_text()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=SPEC_URI, language_id="yaml", version=1, text=text
            )
        )
    )
    found = await diagnostics(client, SPEC_URI)
    doc = types.TextDocumentIdentifier(uri=SPEC_URI)
    symbols = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=doc)
    )
    assert [s.name for s in symbols] == ["supervisord", "program:web", "group:site"]
    hints = await client.text_document_inlay_hint_async(
        types.InlayHintParams(
            text_document=doc,
            range=types.Range(
                start=types.Position(line=0, character=0),
                end=types.Position(line=20, character=0),
            ),
        )
    )
    assert [h.label for h in hints] == ["→ site:web_0, site:web_1"] * 2
    target = await client.text_document_definition_async(
        types.DefinitionParams(text_document=doc, position=position(text, "web]", 1))
    )
    assert [(t.uri, t.range.start) for t in target] == [
        (SPEC_URI, position(text, "web:"))
    ]
    tilde = [d for d in found if d.code == "SUP403"]
    assert tilde, found
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=doc,
            range=tilde[0].range,
            context=types.CodeActionContext(diagnostics=tilde),
        )
    )
    edits = {a.title: a.edit.changes[SPEC_URI][0].new_text for a in actions}
    assert edits["write `%(ENV_HOME)s` for `~`"] == '"%(ENV_HOME)s/app"'
    assert (
        edits["Disable tilde-in-program-directory for this line"]
        == "    # supc: disable=tilde-in-program-directory\n"
    )
