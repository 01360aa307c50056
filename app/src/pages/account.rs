//! Sign-in, the first-run page, the header's user box, and Admin > Users.

use crate::api::*;
use crate::components::*;
use crate::domain::Role;
use crate::wire::UserRow;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SignInPage() -> impl IntoView {
    let next = query_param("next");
    let action = ServerAction::<SignIn>::new();
    let error = action_error(action.value());
    // The same email and password open several accounts: which one.
    let choices = move || match error.get() {
        Some(crate::error::AppError::ChooseAccount { accounts }) => Some(view! {
            <fieldset class="choices">
                <legend>"Account"</legend>
                {accounts.into_iter().enumerate().map(|(i, a)| view! {
                    <label><input type="radio" name="account" value=a.id required=true checked=i == 0/>" "{a.name}</label>
                }).collect_view()}
            </fieldset>
        }),
        _ => None,
    };
    view! {
        <Title text="Sign in"/>
        <div class="narrow">
            <h1>"Sign in"</h1>
            <ActionForm action=action attr:class="form">
                <input type="hidden" name="next" value=next.get_untracked()/>
                <label for="email">"Email"</label>
                <input id="email" name="email" type="email" autocomplete="username" required=true autofocus=true/>
                <label for="password">"Password"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required=true/>
                {choices}
                <ErrorNote error=error/>
                <div class="buttons">
                    <button type="submit" class="primary" data-pending="Signing in…">"Sign in"</button>
                </div>
            </ActionForm>
            <p class="hint">"Forgot your password? An Administrator of your account can set a new one."</p>
        </div>
    }
}

#[component]
pub fn FirstRunPage() -> impl IntoView {
    let action = ServerAction::<SetUp>::new();
    let error = action_error(action.value());
    let token = query_param("token").get_untracked();
    let allowed = Resource::new(move || token.clone(), may_set_up);
    view! {
        <Title text="Set up tenantmap"/>
        <div class="narrow">
            <h1>"Set up tenantmap"</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match allowed.await {
                        Ok(true) => view! { <FirstRunForm action=action error=error/> }.into_any(),
                        Ok(false) => view! {
                            <p class="note error" role="alert">{crate::error::AppError::SetupTokenNeeded.to_string()}</p>
                        }.into_any(),
                        Err(e) => view! { <p class="note error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

#[component]
fn FirstRunForm(
    action: ServerAction<SetUp>,
    error: Signal<Option<crate::error::AppError>>,
) -> impl IntoView {
    let token = query_param("token").get_untracked();
    view! {
        <p class="lead">"Create your MSP's account and its first Administrator. This page works once: afterwards, Administrators add users under Admin › Users."</p>
        <ActionForm action=action attr:class="form">
            <input type="hidden" name="token" value=token/>
            <label for="account">"Account name"</label>
            <input id="account" name="account" required=true placeholder="Your MSP's name"/>
            <FieldError error=error field="account"/>
            <label for="email">"Your email"</label>
            <input id="email" name="email" type="email" autocomplete="username" required=true/>
            <FieldError error=error field="email"/>
            <label for="password">"Password"</label>
            <input id="password" name="password" type="password" autocomplete="new-password" required=true minlength="12"/>
            <p class="hint">"At least 12 characters."</p>
            <FieldError error=error field="password"/>
            <label for="confirm">"Password again"</label>
            <input id="confirm" name="confirm" type="password" autocomplete="new-password" required=true/>
            <FieldError error=error field="confirm"/>
            <ErrorNote error=Signal::derive(move || error.get().filter(|e| e.field().is_none()))/>
            <div class="buttons">
                <button type="submit" class="primary" data-pending="Creating…">"Create account"</button>
            </div>
        </ActionForm>
    }
}

/// Who is signed in, and *Sign out*. Nothing when signed out.
#[component]
pub fn UserBox() -> impl IntoView {
    let me = use_me();
    let action = ServerAction::<SignOut>::new();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                me.await.ok().map(|m| view! {
                    <div class="me">
                        <span class="who" title=m.account_name.clone()>{m.email.clone()}<span class="role">{m.role.label()}</span></span>
                        <ActionForm action=action attr:class="sign-out">
                            <button type="submit" class="link">"Sign out"</button>
                        </ActionForm>
                    </div>
                })
            })}
        </Suspense>
    }
}

#[component]
pub fn UsersPage() -> impl IntoView {
    let add = ServerAction::<AddUser>::new();
    let role = ServerAction::<SetUserRole>::new();
    let active = ServerAction::<SetUserActive>::new();
    let password = ServerAction::<SetUserPassword>::new();
    let users = Resource::new(|| (), |_| list_users());
    let add_error = action_error(add.value());
    view! {
        <Title text="Users"/>
        <p class="crumbs"><a href="/admin">"Admin"</a>" › Users"</p>
        <h1>"Users"</h1>
        <p class="hint">"Administrators change things; Technicians see every page without the changing actions. Disabling a user or setting a new password ends their sessions at once."</p>
        <AdminOnly fallback=|| view! { <p class="note error" role="alert">"You are not allowed to do that. Only Administrators manage users."</p> }>
        <ErrorNote error=action_error(role.value())/>
        <ErrorNote error=action_error(active.value())/>
        <ErrorNote error=action_error(password.value())/>
        {move || matches!(password.value().get(), Some(Ok(()))).then(|| view! { <p class="note ok" role="status">"Password set. Their sessions have ended."</p> })}
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match users.await {
                    Err(e) => view! { <p class="note error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(list) => view! {
                        <table class="grid">
                            <thead><tr>
                                <th scope="col">"Email"</th>
                                <th scope="col">"Role"</th>
                                <th scope="col">"Status"</th>
                                <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                            </tr></thead>
                            <tbody>
                                {list.into_iter().map(|u| view! { <UserRowView user=u role=role active=active password=password/> }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                }
            })}
        </Transition>
        <section class="panel" aria-labelledby="add-user-heading">
            <h2 id="add-user-heading">"Add user"</h2>
            <ActionForm action=add attr:class="form">
                <label for="new-email">"Email"</label>
                <input id="new-email" name="email" type="email" autocomplete="off" required=true/>
                <FieldError error=add_error field="email"/>
                <label for="new-role">"Role"</label>
                <select id="new-role" name="role">
                    <option value="technician">"Technician"</option>
                    <option value="administrator">"Administrator"</option>
                </select>
                <label for="new-password">"First password"</label>
                <input id="new-password" name="password" type="password" autocomplete="new-password" required=true minlength="12"/>
                <p class="hint">"At least 12 characters. Give it to them; they sign in with it."</p>
                <FieldError error=add_error field="password"/>
                <ErrorNote error=Signal::derive(move || add_error.get().filter(|e| !matches!(e.field(), Some("email" | "password"))))/>
                <div class="buttons">
                    <button type="submit" class="primary" data-pending="Adding…">"Add user"</button>
                </div>
            </ActionForm>
        </section>
        </AdminOnly>
    }
}

#[component]
fn UserRowView(
    user: UserRow,
    role: ServerAction<SetUserRole>,
    active: ServerAction<SetUserActive>,
    password: ServerAction<SetUserPassword>,
) -> impl IntoView {
    let version = user.version.to_string();
    let other = match user.role {
        Role::Administrator => Role::Technician,
        Role::Technician => Role::Administrator,
    };
    let you = user.is_you.then_some(" (you)");
    let pw_id = format!("pw-{}", user.id);
    let (id1, id2, id3) = (user.id.clone(), user.id.clone(), user.id.clone());
    let (version1, version2) = (version.clone(), version.clone());
    let pw_label = format!("New password for {}", user.email);
    view! {
        <tr class:disabled=!user.active>
            <td data-label="Email">{user.email.clone()}{you}</td>
            <td data-label="Role">{user.role.label()}</td>
            <td data-label="Status">{if user.active { "Active" } else { "Disabled" }}</td>
            <td class="actions user-actions">
                <ActionForm action=role>
                    <input type="hidden" name="id" value=id1/>
                    <input type="hidden" name="version" value=version1/>
                    <input type="hidden" name="role" value=other.as_str()/>
                    <button type="submit" class="small secondary">{format!("Make {}", other.label())}</button>
                </ActionForm>
                {(!user.is_you).then(|| view! {
                    <ActionForm action=active>
                        <input type="hidden" name="id" value=id2/>
                        <input type="hidden" name="version" value=version2/>
                        <input type="hidden" name="active" value=if user.active { "false" } else { "true" }/>
                        <button type="submit" class=if user.active { "small danger" } else { "small secondary" }>{if user.active { "Disable" } else { "Enable" }}</button>
                    </ActionForm>
                })}
                <details class="set-password">
                    <summary>"Set password"</summary>
                    <ActionForm action=password>
                        <input type="hidden" name="id" value=id3/>
                        <input type="hidden" name="version" value=version/>
                        <label for=pw_id.clone() class="visually-hidden">{pw_label}</label>
                        <input id=pw_id name="password" type="password" autocomplete="new-password" required=true minlength="12"/>
                        <button type="submit" class="small">"Set"</button>
                    </ActionForm>
                </details>
            </td>
        </tr>
    }
}
